package render

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/reqtrace/reqtrace/render/schema"
)

// The schemas of the struct-based documents are generated from the wire
// types (schema.Generate): a field added, renamed or made nullable shows
// up as a change to render/schema/*.json in review (rewrite with -update).
var schemaDocs = []struct {
	name, title, schema string
	typ                 reflect.Type
}{
	{"trace", "reqtrace trace --json (also each document of har --json)", Schema, reflect.TypeFor[wireResult]()},
	{"series", "reqtrace trace -n N --json: run 1's trace document, every run, the statistics", Schema, reflect.TypeFor[wireSeries]()},
	{"cors", "reqtrace cors --json", CORSSchema, reflect.TypeFor[wireCORS]()},
	{"explain", "reqtrace explain TOPIC --json", ExplainSchema, reflect.TypeFor[wireExplain]()},
}

func TestSchemaFiles(t *testing.T) {
	for _, d := range schemaDocs {
		b, err := schema.Generate(d.name, d.title, d.schema, d.typ)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("schema", d.name+".json")
		if *update {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(old, b) {
			t.Errorf("%s is not what the wire types say (err %v): run go test ./render -run TestSchemaFiles -update and review the diff", path, err)
		}
	}
}
