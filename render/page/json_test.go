package page_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	rpage "github.com/reqtrace/reqtrace/render/page"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/page"
)

func TestJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := rpage.JSON(&buf, repeated()); err != nil {
		t.Fatal(err)
	}
	golden(t, "json_repeat", buf.Bytes())
}

// The schema is generated from the wire types, so it cannot drift from
// them; rewrite it with -update and review the diff.
func TestSchemaFile(t *testing.T) {
	rendertest.CheckSchema(t, filepath.Join("..", "schema"), rendertest.SchemaDoc{
		Name: "page", Title: "reqtrace page --json", Schema: rpage.Schema, Type: rpage.WireType()})
}

// Real output validates against the embedded schema (`reqtrace schema
// page`), which is strict: a property it does not name fails.
func TestJSONMatchesSchema(t *testing.T) {
	sch := rendertest.Compiled(t, "page")
	failed := &page.Result{URL: "https://nx.example.test/", Err: &trace.Error{Phase: trace.PhaseDNS, Kind: trace.KindNXDomain, Message: "no such host"}}
	for name, res := range map[string]*page.Result{"first": loaded(), "repeat": repeated(), "failed": failed} {
		var buf bytes.Buffer
		if err := rpage.JSON(&buf, res); err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if name == "first" {
			v.(map[string]any)["extra"] = 1
			if sch.Validate(v) == nil {
				t.Error("the schema accepts a property it does not name")
			}
		}
	}
}

// Each request's hops are the trace document's, converted by the same
// code: the page document embeds what `trace --json` writes.
func TestJSONHopsAreTheTraceDocuments(t *testing.T) {
	res := loaded()
	var pbuf bytes.Buffer
	if err := rpage.JSON(&pbuf, res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Requests []struct {
			Hops   []json.RawMessage `json:"hops"`
			Status int               `json:"status"`
		} `json:"requests"`
		Findings []struct {
			ID       string `json:"id"`
			Requests []int  `json:"requests"`
		} `json:"findings"`
		CriticalPath []int `json:"critical_path"`
	}
	if err := json.Unmarshal(pbuf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Requests) != len(res.Requests) || len(doc.Findings) != len(res.Findings) ||
		!reflect.DeepEqual(doc.CriticalPath, res.CriticalPath) {
		t.Fatalf("requests %d findings %d path %v", len(doc.Requests), len(doc.Findings), doc.CriticalPath)
	}
	for i, r := range res.Requests {
		var tbuf bytes.Buffer
		if err := render.JSON(&tbuf, r.Trace); err != nil {
			t.Fatal(err)
		}
		var td struct {
			Hops []json.RawMessage `json:"hops"`
		}
		if err := json.Unmarshal(tbuf.Bytes(), &td); err != nil {
			t.Fatal(err)
		}
		if len(td.Hops) != len(doc.Requests[i].Hops) {
			t.Fatalf("request %d: %d hops, want %d", i, len(doc.Requests[i].Hops), len(td.Hops))
		}
		for j := range td.Hops {
			var a, b any
			json.Unmarshal(td.Hops[j], &a)
			json.Unmarshal(doc.Requests[i].Hops[j], &b)
			if !reflect.DeepEqual(a, b) {
				t.Errorf("request %d hop %d differs from trace --json's", i, j)
			}
		}
		if doc.Requests[i].Status != r.Status() {
			t.Errorf("request %d: status %d, want %d", i, doc.Requests[i].Status, r.Status())
		}
	}
	if err := rpage.JSON(&pbuf, nil); err == nil {
		t.Error("nil result: no error")
	}
}
