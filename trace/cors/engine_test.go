package cors

import (
	"slices"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

// The second engine's evaluation replays the first one's responses: it
// never sends a request twice, and never sends a method that may change
// data that the first engine did not send.
func TestEnginesReplay(t *testing.T) {
	star := "Access-Control-Allow-Origin: *"
	f := &fakeServer{preflight: resp(204, star), actual: resp(200, star)}
	rep := run(t, Config{Headers: hdrs("Save-Data: on")}, f)
	// Chromium: a simple GET. Firefox: a preflight (refused), sent once.
	if !slices.Equal(f.methods, []string{"GET", "OPTIONS"}) || rep.Verdict != Allowed || len(rep.Engines) != 2 {
		t.Fatalf("sent %v, verdict %s, engines %+v", f.methods, rep.Verdict, rep.Engines)
	}
	if e := rep.Engines[1]; e.Browser != Firefox || e.Verdict != Blocked || !e.Preflight {
		t.Errorf("firefox outcome %+v", e)
	}
	var w *Problem
	for i := range rep.Warnings {
		if rep.Warnings[i].Rule == "browser-difference" && strings.Contains(rep.Warnings[i].Message, "differ on") {
			w = &rep.Warnings[i]
		}
	}
	if w == nil || !strings.Contains(w.Message, "the standard sides with Firefox") || !strings.Contains(w.Fix, "save-data") {
		t.Errorf("warning %+v", w)
	}
	// --browser firefox, a PUT both engines treat alike: Chromium's pass
	// replays every response, and the report has no engines.
	f = &fakeServer{preflight: resp(204, star, "Access-Control-Allow-Methods: PUT"), actual: resp(200, star)}
	rep = run(t, Config{Method: "PUT", Actual: true, Browser: Firefox}, f)
	if !slices.Equal(f.methods, []string{"OPTIONS", "PUT"}) || rep.Browser != Firefox || rep.Engines != nil {
		t.Errorf("same outcome: sent %v, engines %+v", f.methods, rep.Engines)
	}
	if _, err := ParseBrowser("safari"); err == nil {
		t.Error("safari accepted")
	}
}

func TestReplayerRefusesUnsafeMethods(t *testing.T) {
	f := &fakeServer{actual: resp(200)}
	p := &replayer{send: f.send, seen: map[string]*trace.Result{}}
	u := mustURL(t, "https://api.example.com/x")
	res := p.replay(t.Context(), &trace.Options{URL: u, Method: "DELETE"})
	if res.Err == nil || len(f.methods) != 0 {
		t.Errorf("a DELETE not sent before was sent: %v %v", f.methods, res.Err)
	}
	p.record(t.Context(), &trace.Options{URL: u, Method: "DELETE"})
	if res := p.replay(t.Context(), &trace.Options{URL: u, Method: "DELETE"}); res.Err != nil || len(f.methods) != 1 {
		t.Errorf("the recorded DELETE was not replayed: %v %v", f.methods, res.Err)
	}
}
