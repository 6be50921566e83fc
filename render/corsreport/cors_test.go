package corsreport

import (
	"bytes"
	gocontext "context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/cors"
)

// corsServer is a fake network for cors.RunWith: canned responses by
// method, or by "METHOD URL" in byURL, as if at a public address.
type corsServer struct {
	preflight, actual *trace.Response
	byURL             map[string]*trace.Response
	forOrigin         func(origin string) *trace.Response // for scans
}

func (s corsServer) send(_ gocontext.Context, o *trace.Options) *trace.Result {
	h := trace.Hop{URL: o.URL.String(), Connect: &trace.Connect{Address: "203.0.113.7:443"}}
	h.Request = trace.Request{Method: o.Method, Target: o.URL.RequestURI(), Proto: "HTTP/1.1",
		Headers: []trace.Header{{Name: "Host", Value: o.URL.Host}, {Name: "User-Agent", Value: "reqtrace/test"}}}
	origin := ""
	for _, e := range o.Headers {
		h.Request.Headers = append(h.Request.Headers, trace.Header{Name: e.Name, Value: e.Value})
		if e.Name == "Origin" {
			origin = e.Value
		}
	}
	switch {
	case s.byURL[o.Method+" "+h.URL] != nil:
		h.Response = s.byURL[o.Method+" "+h.URL]
	case s.forOrigin != nil:
		h.Response = s.forOrigin(origin)
	case o.Method == "OPTIONS":
		h.Response = s.preflight
	default:
		h.Response = s.actual
	}
	return &trace.Result{URL: h.URL, Hops: []trace.Hop{h}}
}

func corsResp(status int, hs ...string) *trace.Response {
	r := &trace.Response{Proto: "HTTP/1.1", Status: status, Reason: http.StatusText(status)} // as servers send it
	for _, h := range hs {
		name, value, _ := strings.Cut(h, ": ")
		r.Headers = append(r.Headers, trace.Header{Name: name, Value: value})
	}
	return r
}

type corsFixture struct {
	name   string
	cfg    cors.Config
	server corsServer
	scan   bool
}

func corsFixtures() []corsFixture {
	return []corsFixture{
		{name: "preflight_401", cfg: cors.Config{Method: "PUT", Credentials: true, Actual: true,
			Headers: []trace.HeaderEdit{{Name: "Content-Type", Value: "application/json"}, {Name: "Authorization", Value: "Bearer t"}}, Body: []byte("{}")},
			server: corsServer{preflight: corsResp(401, "Content-Type: application/json", "WWW-Authenticate: Bearer")}},
		{name: "allowed_expose", cfg: cors.Config{},
			server: corsServer{actual: corsResp(200, "Access-Control-Allow-Origin: https://app.example.com",
				"Access-Control-Expose-Headers: X-Total", "Content-Type: application/json", "X-Total: 3", "X-Request-Id: abc", "Set-Cookie: s=1")}},
		{name: "preflight_passes", cfg: cors.Config{Method: "DELETE", Headers: []trace.HeaderEdit{{Name: "X-Api-Key", Value: "k"}}},
			server: corsServer{preflight: corsResp(204, "Access-Control-Allow-Origin: *", "Access-Control-Allow-Methods: GET, DELETE",
				"Access-Control-Allow-Headers: x-api-key", "Access-Control-Max-Age: 86400")}},
		{name: "mismatch", cfg: cors.Config{Origin: "http://localhost:3000"},
			server: corsServer{actual: corsResp(200, "Access-Control-Allow-Origin: http://127.0.0.1:3000", "Vary: Origin")}},
		{name: "scan", scan: true, cfg: cors.Config{Credentials: true},
			server: corsServer{forOrigin: func(origin string) *trace.Response {
				if strings.Contains(origin, "example.com") || origin == "null" {
					return corsResp(200, "Access-Control-Allow-Origin: "+origin, "Access-Control-Allow-Credentials: true")
				}
				return corsResp(200)
			}}},
		// Down a redirect chain: to another origin, where Origin is null.
		{name: "redirect_followed", cfg: cors.Config{},
			server: corsServer{actual: corsResp(302, "Location: https://cdn.example.net/v1/items", "Access-Control-Allow-Origin: https://app.example.com", "Vary: Origin"),
				byURL: map[string]*trace.Response{"GET https://cdn.example.net/v1/items": corsResp(200, "Access-Control-Allow-Origin: *", "Content-Type: application/json")}}},
		{name: "redirect_preflight_refused", cfg: cors.Config{Method: "PUT", Actual: true, Headers: []trace.HeaderEdit{{Name: "Content-Type", Value: "application/json"}}, Body: []byte("{}")},
			server: corsServer{preflight: corsResp(204, "Access-Control-Allow-Origin: https://app.example.com", "Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Headers: content-type", "Vary: Origin"),
				actual: corsResp(307, "Location: https://v2.example.com/items", "Access-Control-Allow-Origin: https://app.example.com", "Vary: Origin"),
				byURL:  map[string]*trace.Response{"OPTIONS https://v2.example.com/items": corsResp(204, "Access-Control-Allow-Origin: https://app.example.com", "Access-Control-Allow-Methods: PUT", "Access-Control-Allow-Headers: content-type")}}},
		{name: "redirect_loop", cfg: cors.Config{},
			server: corsServer{actual: corsResp(302, "Location: /v1/items", "Access-Control-Allow-Origin: *")}},
	}
}

func corsReport(t *testing.T, f corsFixture) *cors.Report {
	t.Helper()
	u, _ := url.Parse("https://api.example.com/v1/items")
	cfg := f.cfg
	cfg.URL = u
	if cfg.Origin == "" {
		cfg.Origin = "https://app.example.com"
	}
	cfg.OriginSpace = cors.SpacePublic
	rep, err := cors.RunWith(gocontext.Background(), cfg, f.server.send)
	if err != nil {
		t.Fatal(err)
	}
	if f.scan {
		s, serr := cors.RunScan(gocontext.Background(), cfg, f.server.send)
		if serr != nil {
			t.Fatal(serr)
		}
		rep.Scan = s
	}
	return rep
}

func TestCORSGolden(t *testing.T) {
	for _, f := range corsFixtures() {
		t.Run(f.name, func(t *testing.T) {
			rep := corsReport(t, f)
			var text, js bytes.Buffer
			if err := Text(&text, rep, render.Style{Width: 100}); err != nil {
				t.Fatal(err)
			}
			rendertest.Golden(t, "cors_text_"+f.name, text.Bytes())
			if err := JSON(&js, rep); err != nil {
				t.Fatal(err)
			}
			rendertest.Golden(t, "cors_json_"+f.name, js.Bytes())
		})
	}
	var verbose bytes.Buffer
	if err := Text(&verbose, corsReport(t, corsFixtures()[4]), render.Style{Width: 100, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	rendertest.Golden(t, "cors_text_scan_verbose", verbose.Bytes())
	var color bytes.Buffer
	if err := Text(&color, corsReport(t, corsFixtures()[0]), render.Style{Width: 80, Color: true, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	rendertest.Golden(t, "cors_text_preflight_401_color_verbose", color.Bytes())
}

// TestCORSJSONContract checks the contract's fields are all there, with
// their types, whatever the verdict.
func TestCORSJSONContract(t *testing.T) {
	for _, f := range corsFixtures() {
		var buf bytes.Buffer
		if err := JSON(&buf, corsReport(t, f)); err != nil {
			t.Fatal(err)
		}
		doc := rendertest.DecodeOne(t, buf.Bytes())
		rendertest.HasKeys(t, f.name, doc, []string{"schema", "url", "origin", "method", "request_headers", "credentials",
			"preflight", "actual", "readable_headers", "verdict", "problems", "warnings"})
		rendertest.HasKeys(t, f.name+" preflight", doc["preflight"], []string{"needed", "reasons", "request", "response", "passed", "problems"})
		rendertest.HasKeys(t, f.name+" preflight.request", doc["preflight"].(map[string]any)["request"], []string{"headers"})
		rendertest.HasKeys(t, f.name+" actual", doc["actual"], []string{"sent", "response", "passed", "problems"})
		if doc["schema"] != "reqtrace.cors/v1" || !slices.Contains([]any{"allowed", "blocked", "unknown"}, doc["verdict"]) {
			t.Errorf("%s: schema %v verdict %v", f.name, doc["schema"], doc["verdict"])
		}
		for _, key := range []string{"request_headers", "readable_headers", "problems", "warnings"} {
			if _, ok := doc[key].([]any); !ok {
				t.Errorf("%s: %s is %T, want an array", f.name, key, doc[key])
			}
		}
		for _, p := range doc["problems"].([]any) {
			rendertest.HasKeys(t, f.name+" problem", p, []string{"rule", "message", "fix"})
		}
	}
}

func TestCORSHostile(t *testing.T) {
	evil := "x" + rendertest.OSCTitle + rendertest.Clear + rendertest.C1CSI + rendertest.BadUTF8 + "\u202eevil\u2028y"
	f := corsFixture{name: "hostile", cfg: cors.Config{Method: "PUT"}, server: corsServer{
		preflight: corsResp(204, "Access-Control-Allow-Origin: "+evil, "Access-Control-Allow-Methods: "+evil, "X-Evil"+rendertest.Clear+": "+evil),
	}}
	f.server.preflight.Reason = "OK" + rendertest.Clear
	rep := corsReport(t, f)
	for _, st := range []render.Style{{Width: 100}, {Width: 60, Verbose: true}, {Width: 100, Color: true, Verbose: true}} {
		var buf bytes.Buffer
		if err := Text(&buf, rep, st); err != nil {
			t.Fatal(err)
		}
		rendertest.AssertTerminalSafe(t, buf.Bytes(), st.Color)
	}
	var js bytes.Buffer
	if err := JSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	rendertest.AssertTerminalSafe(t, js.Bytes(), false)
	if !json.Valid(js.Bytes()) {
		t.Error("hostile values broke the JSON")
	}
}

// TestCORSHostileRedirect: a Location is server-controlled too, followed
// or refused.
func TestCORSHostileRedirect(t *testing.T) {
	evil := rendertest.OSCTitle + rendertest.Clear + rendertest.C1CSI + rendertest.BadUTF8 + "\u202eevil\u2028"
	for _, loc := range []string{"https://cdn.example.net/" + evil, evil} {
		f := corsFixture{cfg: cors.Config{}, server: corsServer{actual: corsResp(302, "Location: "+loc, "Access-Control-Allow-Origin: *")}}
		rep := corsReport(t, f)
		for _, st := range []render.Style{{Width: 100}, {Width: 100, Color: true, Verbose: true}} {
			var buf bytes.Buffer
			if err := Text(&buf, rep, st); err != nil {
				t.Fatal(err)
			}
			rendertest.AssertTerminalSafe(t, buf.Bytes(), st.Color)
		}
		var js bytes.Buffer
		if err := JSON(&js, rep); err != nil || !json.Valid(js.Bytes()) {
			t.Fatalf("JSON: %v", err)
		}
		rendertest.AssertTerminalSafe(t, js.Bytes(), false)
	}
}

func TestSchemaFile(t *testing.T) {
	rendertest.CheckSchema(t, "../schema", rendertest.SchemaDoc{Name: "cors", Title: "reqtrace cors --json", Schema: Schema, Type: reflect.TypeFor[wireCORS]()})
}
