package cmd_test

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/reqtrace/reqtrace/render/schema"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// compileSchema compiles one of the embedded schemas.
func compileSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	b, ok := schema.Get(name)
	if !ok {
		t.Fatalf("no schema %s", name)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s.json is not JSON: %v", name, err)
	}
	c := jsonschema.NewCompiler()
	url := "https://github.com/reqtrace/reqtrace/render/schema/" + name + ".json"
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s.json does not compile: %v", name, err)
	}
	return sch
}

// Every --json document the binary writes, on the lab, is valid against
// its schema in render/schema (as `reqtrace schema NAME` prints it), and
// the schemas are strict: no property beyond those they name.
func TestJSONMatchesSchemas(t *testing.T) {
	lab := tracetest.New(t)
	https := func(p string) string { return lab.URL("https", "www.lab.test", p) }
	dir := t.TempDir()
	harFile := filepath.Join(dir, "t.har")
	token := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiZXhwIjoxNzAwMDAwMDAwfQ.c2ln"
	cases := []struct {
		schema string
		args   []string
		code   int
	}{
		{"trace", append(labArgs(lab), "--json", https("/")), 0},
		{"trace", append(labArgs(lab), "--json", "-v", "-L", "--revalidate", "--har", harFile, https("/redirect/2")), 0},
		{"trace", append(labArgs(lab), "--json", https("/early-hints")), 0},
		{"trace", append(labArgs(lab), "--json", "--compressed", "-i", lab.URL("http", "chain.lab.test", "/gzip")), 0},
		{"trace", append(labArgs(lab), "--json", "-x", "http://127.0.0.1:"+strconv.Itoa(lab.ProxyPort), https("/")), 0},
		{"trace", append(labArgs(lab), "--json", "--retry", "1", "--retry-delay", "0.01", https("/status/503")), 0},
		{"trace", append(labArgs(lab), "--json", lab.URL("https", "nxdomain.lab.test", "/")), 6},
		{"trace", append(labArgs(lab), "--json", lab.URL("https", "expired.lab.test", "/")), 60},
		{"series", append(labArgs(lab), "--json", "-n", "3", https("/")), 0},
		{"cors", append(labArgs(lab), "cors", "--json", "--origin", "https://app.test", https("/")), 0},
		{"cors", append(labArgs(lab), "cors", "--json", "--scan", "-X", "PUT", "-H", "X-A: 1", "--origin", "https://app.test", https("/")), 0},
		{"explain", []string{"explain", "--json", "404"}, 0},
		{"explain", []string{"explain", "--json", "4xx"}, 0},
		{"explain", []string{"explain", "--json", "299"}, 0},
		{"explain", []string{"explain", "--json", "cache-control"}, 0},
		{"explain", []string{"explain", "--json", "PATCH"}, 0},
		{"explain-list", []string{"explain", "--json", "--list"}, 0},
		{"explain-list", []string{"explain", "--json", "--list", "class"}, 0},
		{"jwt", []string{"jwt", "--json", token}, 0},
		{"jwt", []string{"jwt", "--json", "--secret", "s3cr3t", token}, 1},
	}
	schemas := map[string]*jsonschema.Schema{}
	for i, c := range cases {
		o := reqtrace(t, nil, c.args...)
		if o.code != c.code {
			t.Errorf("%d %v: exit %d, want %d; stderr %s", i, c.args, o.code, c.code, o.stderr)
			continue
		}
		if schemas[c.schema] == nil {
			schemas[c.schema] = compileSchema(t, c.schema)
		}
		validate(t, schemas[c.schema], c.schema, o.stdout, c.args)
	}
	// har --json of the HAR written above: one trace document per page
	if o := reqtrace(t, nil, "har", "--json", harFile); o.code != 0 {
		t.Errorf("har --json: exit %d %s", o.code, o.stderr)
	} else {
		validate(t, schemas["trace"], "trace", o.stdout, []string{"har", "--json"})
	}
	// strict: a document with a property the schema does not name fails
	var doc map[string]any
	o := reqtrace(t, nil, "explain", "--json", "404")
	json.Unmarshal([]byte(o.stdout), &doc)
	doc["surprise"] = 1
	if err := schemas["explain"].Validate(doc); err == nil {
		t.Error("the explain schema accepts a property it does not name")
	}
	// and deep: a phase duration that is not a number fails
	o = reqtrace(t, nil, append(labArgs(lab), "--json", https("/"))...)
	json.Unmarshal([]byte(o.stdout), &doc)
	doc["hops"].([]any)[0].(map[string]any)["timings_ms"].(map[string]any)["dns"] = "12 ms"
	if err := schemas["trace"].Validate(doc); err == nil {
		t.Error("the trace schema accepts a string as timings_ms.dns")
	}
}

func validate(t *testing.T, sch *jsonschema.Schema, name, out string, args []string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Errorf("%v: stdout is not JSON: %v", args, err)
		return
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("%v: not valid against %s.json:\n%v", args, name, err)
	}
}
