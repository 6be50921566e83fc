package render

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
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
		t.Fatalf("%v (run go test ./render -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test ./render -update and review the diff\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// annotated is r with the notes cmd always adds (a copy: r is left as it
// is), as of a minute after the fixtures started.
func annotated(r *trace.Result) *trace.Result {
	c := *r
	c.Hops = slices.Clone(r.Hops)
	for i := range c.Hops {
		c.Hops[i].Notes = slices.Clone(c.Hops[i].Notes)
	}
	annotate.Result(&c, started.Add(time.Minute))
	return &c
}

func renderText(t *testing.T, f fixture, st Style) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Text(&buf, annotated(f.res), st); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTextGolden(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.name, func(t *testing.T) {
			golden(t, "text_"+f.name, renderText(t, f, Style{Width: 100}))
		})
	}
}

func TestTextVariantsGolden(t *testing.T) {
	https := fixture{"https_h2", httpsH2()}
	golden(t, "text_https_h2_color", renderText(t, https, Style{Color: true, Width: 100}))
	golden(t, "text_https_h2_verbose", renderText(t, https, Style{Width: 100, Verbose: true}))
	golden(t, "text_https_h2_w70", renderText(t, https, Style{Width: 70}))
	golden(t, "text_dns_nxdomain_verbose", renderText(t, fixture{"dns_nxdomain", dnsNXDomain()}, Style{Width: 100, Verbose: true}))
}

func TestJSONGolden(t *testing.T) {
	for _, f := range fixtures() {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JSON(&buf, f.res); err != nil {
				t.Fatal(err)
			}
			golden(t, "json_"+f.name, buf.Bytes())
		})
	}
}

// TestShow prints fixtures for a human to look at:
// go test ./render -run Show -v -show -width 70
var (
	show      = flag.Bool("show", false, "print the fixtures' text output")
	showWidth = flag.Int("width", 100, "width for -show")
	showColor = flag.Bool("color", false, "colour for -show")
	showV     = flag.Bool("verbose", false, "verbose for -show")
)

func TestShow(t *testing.T) {
	if !*show {
		t.Skip("use -show")
	}
	for _, f := range fixtures() {
		os.Stdout.WriteString("\n======== " + f.name + "\n")
		if err := Text(os.Stdout, f.res, Style{Width: *showWidth, Color: *showColor, Verbose: *showV}); err != nil {
			t.Fatal(err)
		}
	}
}
