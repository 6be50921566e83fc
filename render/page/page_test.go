package page_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/page/pagetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name.golden, or rewrites the file with
// -update (review the diff before committing).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render/page -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./render/page -update and review the diff\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// loaded is the fixture page load, summarised as the engine leaves it.
func loaded() *page.Result {
	res := pagetest.Page()
	page.Summarize(res)
	return res
}

// repeated is the same with its repeat view.
func repeated() *page.Result {
	res := pagetest.PageRepeat()
	page.Summarize(res)
	return res
}
