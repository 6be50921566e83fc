package rendertest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
)

func HasKeys(t *testing.T, what string, obj any, want []string) map[string]any {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Fatalf("%s: want an object, got %T", what, obj)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("%s: contract key %q missing", what, k)
		}
	}
	return m
}

func DecodeOne(t *testing.T, b []byte) map[string]any {
	t.Helper()
	if !bytes.HasSuffix(b, []byte("}\n")) || bytes.Count(b[len(b)-2:], []byte("\n")) != 1 {
		t.Fatalf("want one document ending in a single newline")
	}
	if !bytes.HasPrefix(b, []byte("{\n  \"schema\": ")) {
		t.Fatalf("want two-space indentation and schema first, got %q", b[:min(20, len(b))])
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		t.Fatalf("more than one JSON document (err %v)", err)
	}
	return doc
}
