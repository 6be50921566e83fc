package schema

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// Generate writes the JSON Schema (draft 2020-12) of what encoding/json
// writes for the wire type typ: a pointer, slice or map may be null;
// omitempty fields are not required; no property beyond the struct's.
// Each nested struct is one $defs entry, named as its type without
// "wire". The "schema" property is pinned to the document's version
// string. The tests of render and its sub-packages compare the result
// with the checked-in file, so a field added, renamed or made nullable
// shows up in review.
func Generate(name, title, version string, typ reflect.Type) ([]byte, error) {
	g := &gen{defs: map[string]any{}, types: map[string]reflect.Type{}}
	root := g.object(typ)
	root["properties"].(map[string]any)["schema"] = map[string]any{"const": version}
	if len(g.defs) > 0 {
		root["$defs"] = g.defs
	}
	doc := map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     "https://github.com/reqtrace/reqtrace/render/schema/" + name + ".json",
		"title":   title,
	}
	for k, v := range root {
		doc[k] = v
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type gen struct {
	defs  map[string]any
	types map[string]reflect.Type // which type each $defs name stands for
}

func (g *gen) schemaOf(t reflect.Type) map[string]any {
	switch t.Kind() {
	case reflect.Pointer:
		return nullable(g.schemaOf(t.Elem()))
	case reflect.Slice:
		return nullable(map[string]any{"type": "array", "items": g.schemaOf(t.Elem())})
	case reflect.Map:
		return nullable(map[string]any{"type": "object", "additionalProperties": g.schemaOf(t.Elem())})
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := strings.TrimPrefix(t.Name(), "wire")
		if seen, ok := g.types[name]; ok && seen != t {
			// two packages' wire types of one name would share a $defs entry
			panic("schema: " + seen.String() + " and " + t.String() + " are both $defs/" + name)
		}
		g.types[name] = t
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = nil // a recursive type refers to itself
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	panic("schema: no schema for " + t.String())
}

// object is the schema of struct t, written out.
func (g *gen) object(t reflect.Type) map[string]any {
	props, required := map[string]any{}, []string{}
	g.addFields(t, props, &required)
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// addFields adds t's JSON fields, those of embedded structs inline.
func (g *gen) addFields(t reflect.Type, props map[string]any, required *[]string) {
	for f := range t.Fields() {
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			g.addFields(f.Type, props, required)
			continue
		}
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		s := g.schemaOf(f.Type)
		if strings.Contains(opts, "omitempty") {
			s = nonNull(s) // omitted, never null
		} else {
			*required = append(*required, name)
		}
		props[name] = s
	}
}

func nullable(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok {
		s["type"] = []any{typ, "null"}
		return s
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

func nonNull(s map[string]any) map[string]any {
	if typ, ok := s["type"].([]any); ok && len(typ) == 2 && typ[1] == "null" {
		s["type"] = typ[0]
	}
	if alt, ok := s["anyOf"].([]any); ok && len(alt) == 2 {
		return alt[0].(map[string]any)
	}
	return s
}
