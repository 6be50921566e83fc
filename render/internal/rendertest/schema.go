package rendertest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/reqtrace/reqtrace/render/schema"
)

// SchemaDoc is a struct-based JSON document and the schema file generated
// from its wire types: a field added, renamed or made nullable shows up as a
// change to render/schema/*.json in review (rewrite with -update).
type SchemaDoc struct {
	Name, Title, Schema string
	Type                reflect.Type
}

// CheckSchema compares the schema generated from d.Type with dir/NAME.json,
// or rewrites the file with -update.
func CheckSchema(t *testing.T, dir string, d SchemaDoc) {
	t.Helper()
	g := &schemaGen{defs: map[string]any{}, types: map[string]reflect.Type{}}
	root := g.object(d.Type)
	root["properties"].(map[string]any)["schema"] = map[string]any{"const": d.Schema}
	if len(g.defs) > 0 {
		root["$defs"] = g.defs
	}
	doc := map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$id":     "https://github.com/reqtrace/reqtrace/render/schema/" + d.Name + ".json",
		"title":   d.Title,
	}
	for k, v := range root {
		doc[k] = v
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, d.Name+".json")
	if *Update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(old, buf.Bytes()) {
		t.Errorf("%s is not what the wire types say (err %v): run go test -run Schema -update in this package and review the diff", path, err)
	}
}

// schemaGen maps Go types to the JSON Schema of what encoding/json writes
// for them: a pointer, slice or map may be null; omitempty fields are not
// required; no property beyond the struct's. Each struct is one $defs
// entry, named as the wire type without "wire".
type schemaGen struct {
	defs  map[string]any
	types map[string]reflect.Type // the type each $defs name stands for
}

func (g *schemaGen) schemaOf(t reflect.Type) map[string]any {
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
		name := strings.TrimPrefix(strings.TrimPrefix(t.Name(), "wire"), "Wire")
		if seen, ok := g.types[name]; ok && seen != t {
			// two packages' wire types of one name (render's wireRequest
			// and a document's own) would share one $defs entry
			panic("schema: " + seen.String() + " and " + t.String() + " are both $defs/" + name)
		}
		g.types[name] = t
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = nil // a recursive type refers to itself
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/$defs/" + name}
	}
	panic("schemaOf: no schema for " + t.String())
}

// object is the schema of struct t, written out.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props, required := map[string]any{}, []string{}
	g.addFields(t, props, &required)
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// addFields adds t's JSON fields, those of embedded structs inline.
func (g *schemaGen) addFields(t reflect.Type, props map[string]any, required *[]string) {
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

// Compiled is the embedded schema called name (render/schema), compiled
// for validating real output.
func Compiled(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	b, ok := schema.Get(name)
	if !ok {
		t.Fatalf("no %s schema embedded", name)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	id := "https://github.com/reqtrace/reqtrace/render/schema/" + name + ".json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}
