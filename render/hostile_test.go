package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace"
)

func TestHostileText(t *testing.T) {
	for _, st := range []Style{
		{Width: 100}, {Width: 100, Verbose: true}, {Width: 70, Verbose: true},
		{Width: 100, Color: true, Verbose: true},
	} {
		var buf bytes.Buffer
		if err := Text(&buf, rendertest.Hostile(), st); err != nil {
			t.Fatal(err)
		}
		rendertest.AssertTerminalSafe(t, buf.Bytes(), st.Color)
		out := buf.String()
		for _, want := range []string{`\x1b]0;pwned\x07`, `\x1b[2J`, `\u009b31m`, `\xff\xfe`, `\u202e`,
			`\u200e`, `\u061c`, `\u2066`, `\u200b`, `\ufeff`, `\u00ad`, `\U000e0041`} {
			if !strings.Contains(out, want) {
				t.Errorf("%+v: escaped form %s not shown", st, want)
			}
		}
	}
}

func TestHostileJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, rendertest.Hostile()); err != nil {
		t.Fatal(err)
	}
	rendertest.AssertTerminalSafe(t, buf.Bytes(), false)
	out := buf.String()
	for _, want := range []string{`\u001b]0;pwned\u0007`, `\u001b[2J`, `\u009b31m`, `\ufffd`, `\u202e`, `\u2028`,
		`\u200e\u200f\u061c\u202a\u202d\u2066\u2069\u200b\u200d\u2060\ufeff\u00ad\udb40\udc41`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks the escaped form %s", want)
		}
	}
	// Escaping must not change the data: it decodes back to the original.
	var doc struct {
		Hops []struct {
			Response struct {
				Headers []WireHeader `json:"headers"`
			} `json:"response"`
		} `json:"hops"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	hs := doc.Hops[0].Response.Headers
	if got := hs[len(hs)-4].Value; !strings.HasSuffix(got, rendertest.Invisible) {
		t.Errorf("the invisible characters decoded as %q, want %q at the end", got, rendertest.Invisible)
	}
	if got := hs[len(hs)-2].Value; got != rendertest.C1CSI {
		t.Errorf("C1 header decoded as %q, want %q", got, rendertest.C1CSI)
	}
	if got := hs[len(hs)-3].Value; got != rendertest.OSCTitle {
		t.Errorf("OSC header decoded as %q, want %q", got, rendertest.OSCTitle)
	}
}

func TestErrorLine(t *testing.T) {
	tests := []struct {
		err  *trace.Error
		want string
	}{
		{nil, ""},
		{&trace.Error{Message: "no such host"}, "reqtrace: no such host"},
		{&trace.Error{Message: "boom" + rendertest.Clear, Hint: "retry"}, "reqtrace: boom\\x1b[2J\n  hint: retry"},
	}
	for _, tt := range tests {
		if got := ErrorLine(tt.err); got != tt.want {
			t.Errorf("ErrorLine(%+v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestRedactEchoedSecrets: the credentials a request carried are hidden
// wherever the response repeats them; a value too short to search for
// (under minSecret) only loses its own header.
func TestRedactEchoedSecrets(t *testing.T) {
	r := rendertest.HTTPSH2()
	h := &r.Hops[0]
	r.URL = "https://bob:url-secret@www.example.test/"
	h.Request.Headers = append(h.Request.Headers,
		trace.Header{Name: "Authorization", Value: "Basic YWxpY2U6aHVudGVyMnBhc3M="}, // alice:hunter2pass
		trace.Header{Name: "Cookie", Value: "sid=cookie-secret-42; t=dark"})
	echo := `{"Authorization":"Basic YWxpY2U6aHVudGVyMnBhc3M=","pw":"hunter2pass","cookie":"sid=cookie-secret-42; t=dark","u":"url-secret"}`
	h.Response.BodyPreview = []byte(echo)
	h.Response.Headers = append(h.Response.Headers, trace.Header{Name: "X-Echo-Cookie", Value: "cookie-secret-42"})
	h.Err = &trace.Error{Message: "saw hunter2pass"}
	got := Redact(r)
	body := string(got.Hops[0].Response.BodyPreview)
	want := `{"Authorization":"Basic [redacted]","pw":"[redacted]","cookie":"sid=[redacted]; t=dark","u":"[redacted]"}`
	if body != want {
		t.Errorf("body preview:\n got %s\nwant %s", body, want)
	}
	hs := got.Hops[0].Response.Headers
	if v := hs[len(hs)-1].Value; v != RedactedMark {
		t.Errorf("echoed header: %q", v)
	}
	if m := got.Hops[0].Err.Message; m != "saw [redacted]" || h.Err.Message != "saw hunter2pass" {
		t.Errorf("error message %q (the original must stay: %q)", m, h.Err.Message)
	}
	if string(h.Response.BodyPreview) != echo {
		t.Errorf("Redact changed the original result")
	}
}
