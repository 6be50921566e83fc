package page_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/render/har"
	rpage "github.com/reqtrace/reqtrace/render/page"
	"github.com/reqtrace/reqtrace/trace"
)

func pageHAR(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := rpage.HAR(&buf, repeated(), har.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHARGolden(t *testing.T) { golden(t, "har_page", pageHAR(t)) }

// Each entry is what `reqtrace trace --har` writes for that request's hop,
// plus Chrome's three extras (and blocked for a queued request).
func TestHAREntriesAreTraceHARs(t *testing.T) {
	res := repeated()
	var doc struct {
		Log struct {
			Pages []struct {
				ID          string             `json:"id"`
				PageTimings map[string]float64 `json:"pageTimings"`
			} `json:"pages"`
			Entries []map[string]any `json:"entries"`
		} `json:"log"`
	}
	if err := json.Unmarshal(pageHAR(t), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Log.Pages) != 1 || doc.Log.Pages[0].PageTimings["onContentLoad"] != 185.9 || doc.Log.Pages[0].PageTimings["onLoad"] != 319.3 {
		t.Fatalf("pages %+v", doc.Log.Pages)
	}
	font := doc.Log.Entries[3]
	in := font["_initiator"].(map[string]any)
	if in["type"] != "parser" || in["url"] != "https://www.example.test/css/fonts.css" || in["lineNumber"] != 3.0 ||
		font["_priority"] != "High" || font["_resourceType"] != "font" || font["connection"] != "2" {
		t.Errorf("font entry: %v %v %v %v", in, font["_priority"], font["_resourceType"], font["connection"])
	}
	if in := doc.Log.Entries[1]["_initiator"].(map[string]any); in["type"] != "preload" {
		t.Errorf("an Early Hints preload: %v", in)
	}
	n := 0
	for i, r := range res.Requests {
		var buf bytes.Buffer
		if err := har.Write(&buf, []*trace.Result{r.Trace}, har.Options{}); err != nil {
			t.Fatal(err)
		}
		var one struct {
			Log struct {
				Entries []map[string]any `json:"entries"`
			} `json:"log"`
		}
		if err := json.Unmarshal(buf.Bytes(), &one); err != nil {
			t.Fatal(err)
		}
		for j, want := range one.Log.Entries {
			got := doc.Log.Entries[n]
			n++
			for _, k := range []string{"_initiator", "_priority", "_resourceType"} {
				if got[k] == nil {
					t.Errorf("request %d hop %d: no %s", i, j, k)
				}
				delete(got, k)
			}
			if got["pageref"] != "page_1" {
				t.Errorf("request %d: pageref %v", i, got["pageref"])
			}
			if j == 0 && r.Queued > 0 {
				if b := got["timings"].(map[string]any)["blocked"]; b != 48.2 {
					t.Errorf("request %d: blocked %v, want its 48.2 ms queued", i, b)
				}
				continue // startedDateTime, time and blocked carry the wait
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("request %d hop %d differs from trace --har's:\n got %s\nwant %s", i, j, g, w)
			}
		}
	}
	if n != len(doc.Log.Entries) {
		t.Errorf("%d entries, want %d", len(doc.Log.Entries), n)
	}
}

// The page HAR passes the validator CI runs on --har (ajv and npm's
// har-schema, through render/har's validate-har.js).
func TestHARSchema(t *testing.T) {
	dir := os.Getenv("HAR_VALIDATOR_DIR")
	skip := t.Skip
	if os.Getenv("CI") != "" {
		skip = t.Fatal // .ci/run installs the validator
	}
	if dir == "" {
		skip("HAR_VALIDATOR_DIR is not set; run `npm install --prefix DIR ajv ajv-formats har-schema` and set HAR_VALIDATOR_DIR=DIR")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("node is not installed: " + err.Error())
	}
	tmp := t.TempDir()
	good, bad := filepath.Join(tmp, "page.har"), filepath.Join(tmp, "bad.har")
	b := pageHAR(t)
	os.WriteFile(good, b, 0o644)
	os.WriteFile(bad, bytes.Replace(b, []byte(`"_priority"`), []byte(`"priority"`), 1), 0o644)
	script := filepath.Join("..", "har", "testdata", "validate-har.js")
	cmd := exec.Command(node, script, good)
	cmd.Env = append(os.Environ(), "HAR_VALIDATOR_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("validate-har.js: %v\n%s", err, out)
	}
	cmd = exec.Command(node, script, bad)
	cmd.Env = append(os.Environ(), "HAR_VALIDATOR_DIR="+dir)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "priority") {
		t.Errorf("the validator passed a field HAR does not define: %v\n%s", err, out)
	}
}
