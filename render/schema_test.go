package render

import (
	"reflect"
	"testing"

	"github.com/reqtrace/reqtrace/render/internal/rendertest"
)

func TestSchemaFiles(t *testing.T) {
	for _, d := range []rendertest.SchemaDoc{
		{Name: "trace", Title: "reqtrace trace --json (also each document of har --json)", Schema: Schema, Type: reflect.TypeFor[wireResult]()},
		{Name: "series", Title: "reqtrace trace -n N --json: run 1's trace document, every run, the statistics", Schema: Schema, Type: reflect.TypeFor[wireSeries]()},
	} {
		rendertest.CheckSchema(t, "schema", d)
	}
}
