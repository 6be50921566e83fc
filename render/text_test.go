package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace"
)

// Colour off must mean no escape sequence at all, whatever fatih/color's
// globals say: cmd relies on it for pipes, files and NO_COLOR.
func TestNoColorWhenOff(t *testing.T) {
	for _, f := range append(rendertest.Fixtures(), rendertest.Fixture{Name: "hostile", Res: rendertest.Hostile()}) {
		for _, v := range []bool{false, true} {
			out := renderText(t, f, Style{Width: 100, Verbose: v})
			if i := bytes.IndexByte(out, 0x1b); i >= 0 {
				t.Errorf("%s verbose=%v: ESC at byte %d", f.Name, v, i)
			}
		}
	}
}

func TestColorWhenOn(t *testing.T) {
	out := renderText(t, rendertest.Fixture{Name: "https_h2", Res: rendertest.HTTPSH2()}, Style{Width: 100, Color: true})
	if !bytes.Contains(out, []byte("\x1b[32;1m200 OK\x1b[0;22m")) {
		t.Errorf("a 200 status should be green")
	}
}

// Every line fits the terminal, at the default and a narrow width, so the
// terminal never wraps the waterfall or the tables.
func TestTextFitsWidth(t *testing.T) {
	for _, f := range append(rendertest.Fixtures(), rendertest.Fixture{Name: "hostile", Res: rendertest.Hostile()}) {
		for _, w := range []int{100, 70} {
			for _, v := range []bool{false, true} {
				out := renderText(t, f, Style{Width: w, Verbose: v, Color: true})
				for _, l := range strings.Split(string(out), "\n") {
					if TextWidth(l) > w {
						t.Errorf("%s width %d verbose=%v: %d columns: %q", f.Name, w, v, TextWidth(l), l)
					}
				}
			}
		}
	}
}

func TestFmtDur(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0.000 ms"},
		{214 * time.Microsecond, "0.214 ms"},
		{5102 * time.Microsecond, "5.102 ms"},
		{9999600 * time.Nanosecond, "10.00 ms"},
		{30410 * time.Microsecond, "30.41 ms"},
		{412300 * time.Microsecond, "412.3 ms"},
		{999960 * time.Microsecond, "1.00 s"},
		{1204 * time.Millisecond, "1.20 s"},
		{83 * time.Second, "83.00 s"},
	}
	for _, tt := range tests {
		if got := fmtDur(tt.d); got != tt.want {
			t.Errorf("fmtDur(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestFmtInt(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := fmtInt(n); got != want {
			t.Errorf("fmtInt(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWrapAndCut(t *testing.T) {
	if got := Cut("abcdef", 4); got != "abc…" {
		t.Errorf("cut = %q", got)
	}
	if got := Cut("日本語テキスト", 5); got != "日本…" {
		t.Errorf("cut wide = %q", got)
	}
	got := Wrap("max-age=63072000; includeSubDomains; preload", 20)
	want := []string{"max-age=63072000;", "includeSubDomains;", "preload"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

// A bad URL fails before any hop: the report is just the error block.
func TestTextInputError(t *testing.T) {
	r := &trace.Result{URL: "htp:/x", Err: trace.BadInput(`unsupported scheme "htp": use http or https`)}
	out := renderText(t, rendertest.Fixture{Name: "input", Res: r}, Style{})
	want := "✗ Failed  input · bad_input\n  unsupported scheme \"htp\": use http or https\n"
	if string(out) != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	if err := Text(&bytes.Buffer{}, nil, Style{}); err == nil {
		t.Error("Text(nil) should fail")
	}
}

// A note cut to the width says how to read it whole; -v wraps it whole
// and needs no such line.
func TestCutNotesSayHowToSeeThemWhole(t *testing.T) {
	r := rendertest.HTTPIP()
	long := "Cache-Control: " + strings.Repeat("a long explanation of what this header means ", 4) + "END"
	r.Hops[0].Notes = append(r.Hops[0].Notes, trace.Note{ID: "test.long", Category: "caching", Level: trace.LevelInfo, Subject: "Cache-Control", Message: long})
	const hint = "Notes are cut to the width; -v shows them whole."
	short := string(renderText(t, rendertest.Fixture{Name: "long_note", Res: r}, Style{Width: 70}))
	if !strings.Contains(short, hint) || strings.Contains(short, "END") {
		t.Errorf("cut note without the hint:\n%s", short)
	}
	whole := string(renderText(t, rendertest.Fixture{Name: "long_note", Res: r}, Style{Width: 70, Verbose: true}))
	if strings.Contains(whole, hint) || !strings.Contains(whole, "END") {
		t.Errorf("-v: the note should be whole, without the hint:\n%s", whole)
	}
	if plain := string(renderText(t, rendertest.Fixture{Name: "http_ip", Res: rendertest.HTTPIP()}, Style{Width: 400})); strings.Contains(plain, hint) {
		t.Errorf("the hint shows with no note cut:\n%s", plain)
	}
}

// The failure heading names the certificate check's own reason, which the
// contract's kind ("expired" for a certificate not valid yet too) hides.
func TestErrorHeadingNamesTheVerifyReason(t *testing.T) {
	r := rendertest.TLSExpired()
	r.Hops[0].TLS.Verify = trace.VerifyNotYetValid
	out := string(renderText(t, rendertest.Fixture{Name: "notyet", Res: r}, Style{Width: 100}))
	if !strings.Contains(out, "✗ Failed  TLS handshake · not_yet_valid") {
		t.Errorf("heading without the reason:\n%s", out)
	}
}

// TestServerTimingLongerThanTheWait: a metric longer than the wait it is
// part of is flagged, not drawn at several hundred percent past it.
func TestServerTimingLongerThanTheWait(t *testing.T) {
	res := rendertest.HTTPSH2()
	res.Hops[0].Response.ServerTiming = []trace.ServerTiming{{Name: "db", Duration: 42240 * time.Microsecond, HasDuration: true}}
	out := string(renderText(t, rendertest.Fixture{Name: "st", Res: res}, Style{Width: 100}))
	if strings.Contains(out, "352%") || !strings.Contains(out, "longer than the wait") {
		t.Errorf("waterfall:\n%s", out)
	}
}

// A 0-RTT hop: the transport line says whether the early data was taken,
// and the waterfall draws send and wait inside the QUIC handshake with no
// negative curl timer.
func TestText0RTT(t *testing.T) {
	for _, rejected := range []bool{false, true} {
		res := rendertest.HTTPSH3()
		h := &res.Hops[0]
		h.TLS.Resumed = true
		h.QUIC.Used0RTT, h.QUIC.Rejected0RTT = !rejected, rejected
		h.Timings.Send, h.Timings.Wait = rendertest.Span(8.5, 0.05), rendertest.Span(8.55, 22)
		out := string(renderText(t, rendertest.Fixture{Name: "0rtt", Res: res}, Style{Width: 120}))
		want := "0-RTT"
		if rejected {
			want = "0-RTT rejected (request sent again after the handshake)"
		}
		if !strings.Contains(out, want) || !rejected && strings.Contains(out, "0-RTT rejected") || strings.Contains(out, "-0.") {
			t.Errorf("rejected %v: want %q, no negative time:\n%s", rejected, want, out)
		}
	}
}
