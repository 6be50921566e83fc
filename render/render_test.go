package render

import (
	"bytes"
	"flag"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
)

// annotated is r with the notes cmd always adds (a copy: r is left as it
// is), as of a minute after the fixtures started.
func annotated(r *trace.Result) *trace.Result {
	c := *r
	c.Hops = slices.Clone(r.Hops)
	for i := range c.Hops {
		c.Hops[i].Notes = slices.Clone(c.Hops[i].Notes)
	}
	annotate.Result(&c, rendertest.Started.Add(time.Minute))
	return &c
}

func renderText(t *testing.T, f rendertest.Fixture, st Style) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Text(&buf, annotated(f.Res), st); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTextGolden(t *testing.T) {
	for _, f := range rendertest.Fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			rendertest.Golden(t, "text_"+f.Name, renderText(t, f, Style{Width: 100}))
		})
	}
}

func TestTextVariantsGolden(t *testing.T) {
	https := rendertest.Fixture{Name: "https_h2", Res: rendertest.HTTPSH2()}
	rendertest.Golden(t, "text_https_h2_color", renderText(t, https, Style{Color: true, Width: 100}))
	rendertest.Golden(t, "text_https_h2_verbose", renderText(t, https, Style{Width: 100, Verbose: true}))
	rendertest.Golden(t, "text_https_h2_w70", renderText(t, https, Style{Width: 70}))
	rendertest.Golden(t, "text_dns_nxdomain_verbose", renderText(t, rendertest.Fixture{Name: "dns_nxdomain", Res: rendertest.DNSNXDomain()}, Style{Width: 100, Verbose: true}))
}

func TestJSONGolden(t *testing.T) {
	for _, f := range rendertest.Fixtures() {
		t.Run(f.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := JSON(&buf, f.Res); err != nil {
				t.Fatal(err)
			}
			rendertest.Golden(t, "json_"+f.Name, buf.Bytes())
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
	for _, f := range rendertest.Fixtures() {
		os.Stdout.WriteString("\n======== " + f.Name + "\n")
		if err := Text(os.Stdout, f.Res, Style{Width: *showWidth, Color: *showColor, Verbose: *showV}); err != nil {
			t.Fatal(err)
		}
	}
}
