package annotate_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/annotate"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

// traceLab traces a lab URL for real and annotates the result.
func traceLab(t *testing.T, lab *tracetest.Lab, rawURL string, edit func(*trace.Options)) *trace.Result {
	t.Helper()
	u, err := trace.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	o := &trace.Options{URL: u, DNSServers: []string{lab.DNSAddr}, ResolvConf: lab.ResolvConf, HostsFile: lab.HostsFile,
		CACert: lab.CAPEM, MaxTime: 10 * time.Second}
	if edit != nil {
		edit(o)
	}
	res := trace.Do(context.Background(), o)
	if res.Err != nil {
		t.Fatalf("trace: %+v", res.Err)
	}
	annotate.Result(res, time.Now())
	return res
}

// levels maps note IDs to their levels (the last wins; enough here).
func levels(ns []trace.Note) map[string]string {
	out := map[string]string{}
	for _, n := range ns {
		out[n.ID] = n.Level
	}
	return out
}

// The "done when": a lab page with cache headers, three cookies,
// security headers and a Bearer token gets the right note for each.
func TestLabPageNotes(t *testing.T) {
	lab := tracetest.New(t)
	token := jwtFor(`{"alg":"HS256","typ":"JWT"}`, `{"sub":"alice","exp":1700000000}`) // expired in 2023
	res := traceLab(t, lab, lab.URL("https", "www.lab.test", "/page"), func(o *trace.Options) {
		o.Headers = []trace.HeaderEdit{{Name: "Authorization", Value: "Bearer " + token}}
		o.Revalidate = true
	})
	hop := res.Hops[0]
	got := levels(hop.Notes)
	want := map[string]string{
		"status.meaning":                trace.LevelGood,
		"cache.freshness":               trace.LevelGood,
		"cache.validators":              trace.LevelGood,
		"cache.revalidation":            trace.LevelGood,
		"cookie.samesite-none-insecure": trace.LevelBad,
		"cookie.no-httponly":            trace.LevelWarn,
		"security.hsts":                 trace.LevelGood,
		"security.disclosure":           trace.LevelWarn,
		"auth.bearer-jwt":               trace.LevelInfo,
		"auth.jwt-expired":              trace.LevelBad,
	}
	for id, level := range want {
		if got[id] != level {
			t.Errorf("note %s = %q, want %q", id, got[id], level)
		}
	}
	if _, ok := got["security.score"]; !ok {
		t.Error("no security score")
	}
	if res.Revalidation == nil || res.Revalidation.Response.Status != 304 || !res.Revalidation.Connect.Reused {
		t.Errorf("revalidation = %+v", res.Revalidation)
	}
	for _, n := range hop.Notes {
		if strings.Contains(n.Message, "s3cr3t") || strings.Contains(n.Message, token[strings.LastIndexByte(token, '.')+1:]) {
			t.Errorf("a secret is in note %s: %s", n.ID, n.Message)
		}
	}
}

func TestLabChallengeNotes(t *testing.T) {
	lab := tracetest.New(t)
	hop := traceLab(t, lab, lab.URL("https", "www.lab.test", "/api/private"), nil).Hops[0]
	got := levels(hop.Notes)
	if got["status.meaning"] != trace.LevelWarn || got["auth.challenge"] != trace.LevelWarn {
		t.Errorf("notes %v", got)
	}
	if _, missing := got["status.missing-header"]; missing {
		t.Error("the 401 has WWW-Authenticate; no missing-header note expected")
	}
}

func jwtFor(header, claims string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(claims)) + "." + enc([]byte("not-a-real-signature"))
}
