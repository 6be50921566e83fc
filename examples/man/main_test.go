package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// One page per command, each naming its flags, in roff.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if err := write(dir); err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"reqtrace", "reqtrace-trace", "reqtrace-cors", "reqtrace-explain", "reqtrace-jwt",
		"reqtrace-har", "reqtrace-demo", "reqtrace-version"} {
		b, err := os.ReadFile(filepath.Join(dir, page+".1"))
		if err != nil {
			t.Errorf("no page %s.1: %v", page, err)
			continue
		}
		s := string(b)
		if !strings.Contains(s, "\n.TH \"REQTRACE\" \"1\"") || !strings.Contains(s, ".SH NAME") || !strings.Contains(s, `\fB--color\fP`) {
			t.Errorf("%s.1 is not a man page with its flags:\n%.300s", page, s)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "reqtrace-trace.1"))
	for _, flag := range []string{`\fB--max-time\fP`, `\fB--resolve\fP`, `\fB--write-out\fP`, `\fB--http2-prior-knowledge\fP`, `\fBSECONDS\fR`} {
		if !strings.Contains(string(b), flag) {
			t.Errorf("reqtrace-trace.1 lacks %s", flag)
		}
	}
}
