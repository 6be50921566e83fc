package cors_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/cors"
	"github.com/reqtrace/reqtrace/trace/cors/corslab"
)

func scanConfig(t *testing.T, lab testLab, url string) cors.Config {
	t.Helper()
	u, err := trace.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	return cors.Config{URL: u, Origin: "https://app.example.com",
		Net: trace.Options{Resolve: lab.Resolve(), CACert: lab.caPEM, MaxTime: 10 * time.Second}}
}

// TestScanFindsPlanted runs --scan against every planted misconfiguration
// and checks its class is reported, every probe ran, and credentials
// raise the severity.
func TestScanFindsPlanted(t *testing.T) {
	lab := newLab(t)
	wantProbes := 0
	for kind, class := range corslab.ScanKinds {
		t.Run(kind, func(t *testing.T) {
			s, err := cors.RunScan(context.Background(), scanConfig(t, lab, lab.TLSURL("/scan/"+kind)), trace.Do)
			if err != nil {
				t.Fatal(err.Message)
			}
			if wantProbes == 0 {
				wantProbes = len(s.Probes)
			}
			if len(s.Probes) != wantProbes || len(s.Probes) < 35 {
				t.Errorf("%d probes ran, want all %d", len(s.Probes), wantProbes)
			}
			i := slices.IndexFunc(s.Findings, func(f cors.Finding) bool { return f.Class == class })
			if i < 0 {
				t.Fatalf("no %s finding: %+v", class, s.Findings)
			}
			f := s.Findings[i]
			if f.Message == "" || f.Fix == "" || len(f.Via) == 0 {
				t.Errorf("finding lacks text: %+v", f)
			}
			if f.Credentials && f.Class != "https-trusts-http" && f.Class != "reflected-without-vary" && f.Severity != cors.SeverityHigh {
				t.Errorf("%s with credentials has severity %s, want high", f.Class, f.Severity)
			}
			if class == "third-party" && (f.Credentials || f.Severity != cors.SeverityMedium) {
				t.Errorf("third party without credentials: %+v", f)
			}
			if got := lab.Seen("/scan/" + kind); len(got) != 2*len(s.Probes) {
				t.Errorf("the server saw %d requests, want %d (a GET and a preflight per probe)", len(got), 2*len(s.Probes))
			}
		})
	}
}

func TestScanStrictServer(t *testing.T) {
	lab := newLab(t)
	s, err := cors.RunScan(context.Background(), scanConfig(t, lab, lab.TLSURL("/scan/strict")), trace.Do)
	if err != nil {
		t.Fatal(err.Message)
	}
	if len(s.Findings) != 0 {
		t.Errorf("a strict allow-list has findings: %+v", s.Findings)
	}
	if base := s.Probes[0]; base.Class != cors.ClassBaseline || base.GET.Allowed {
		t.Errorf("baseline probe: %+v", base)
	}
}

func TestScanNetworkFailure(t *testing.T) {
	lab := newLab(t)
	cfg := scanConfig(t, lab, "http://127.0.0.1:1/")
	s, err := cors.RunScan(context.Background(), cfg, trace.Do)
	if err == nil || s == nil || len(s.Probes) == 0 {
		t.Fatalf("scan of a closed port: %v, %v", s, err)
	}
}
