package explain

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace/knowledge"
)

func explainTopic(t *testing.T, topic string) knowledge.Topic {
	t.Helper()
	tp, ok := knowledge.Find(topic)
	if !ok {
		t.Fatalf("no topic %q", topic)
	}
	return tp
}

func TestExplainGolden(t *testing.T) {
	for _, topic := range []string{"404", "4xx", "cache-control", "PATCH", "299", "520"} {
		var text, js bytes.Buffer
		tp := explainTopic(t, topic)
		if err := Text(&text, tp, render.Style{Width: 100}); err != nil {
			t.Fatal(err)
		}
		if err := JSON(&js, tp); err != nil {
			t.Fatal(err)
		}
		rendertest.Golden(t, "explain_"+strings.ToLower(topic), text.Bytes())
		rendertest.Golden(t, "explain_"+strings.ToLower(topic)+"_json", js.Bytes())
	}
}

func TestExplainJSONContract(t *testing.T) {
	cases := []struct {
		topic, kind, name string
		code              any
		registered        bool
		method            bool
	}{
		{"404", "status", "404", 404.0, true, false},
		{"418", "status", "418", 418.0, true, false},
		{"444", "status", "444", 444.0, false, false},
		{"299", "status", "299", 299.0, false, false},
		{"5XX", "class", "5xx", nil, false, false},
		{"patch", "method", "PATCH", nil, true, true},
		{"CACHE-CONTROL", "header", "Cache-Control", nil, true, false},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		if err := JSON(&buf, explainTopic(t, c.topic)); err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if doc["schema"] != Schema || doc["kind"] != c.kind || doc["name"] != c.name || doc["code"] != c.code || doc["registered"] != c.registered {
			t.Errorf("%s: %v", c.topic, doc)
		}
		for _, k := range []string{"reason", "spec", "summary", "details", "fix"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("%s: no %q", c.topic, k)
			}
		}
		_, hasSafe := doc["safe"]
		if hasSafe != c.method || c.method && (doc["safe"] != false || doc["idempotent"] != false) {
			t.Errorf("%s: safe/idempotent = %v/%v", c.topic, doc["safe"], doc["idempotent"])
		}
	}
}

func TestExplainList(t *testing.T) {
	var buf bytes.Buffer
	if err := List(&buf, "method"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "method (") || !strings.Contains(buf.String(), "PATCH") || strings.Contains(buf.String(), "Cache-Control") {
		t.Errorf("list:\n%s", buf.String())
	}
}

func TestSchemaFile(t *testing.T) {
	rendertest.CheckSchema(t, "../schema", rendertest.SchemaDoc{Name: "explain", Title: "reqtrace explain TOPIC --json", Schema: Schema, Type: reflect.TypeFor[wireExplain]()})
}
