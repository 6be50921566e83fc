package cors

import (
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

func TestSafelistedHeaders(t *testing.T) {
	cases := []struct {
		name, value string
		safe        bool
	}{
		// Accept: any value without CORS-unsafe bytes.
		{"accept", "application/json", true},
		{"accept", "*/*;q=0.8, text/html", true},
		{"accept", "\t", true},
		{"accept", strings.Repeat("a", 128), true},
		{"accept", strings.Repeat("a", 129), false},
		{"accept", "a\x01b", false},
		{"accept", "a\x7fb", false},
		// Accept-Language / Content-Language: a closed set of bytes.
		{"accept-language", "en-US,de;q=0.5", true},
		{"accept-language", "", true},
		{"accept-language", "*", true},
		{"accept-language", "en@x", false},
		{"accept-language", "en_US", false},
		{"content-language", "de", true},
		{"content-language", "de/ch", false},
		// Content-Type: a MIME type whose essence is one of three.
		{"content-type", "text/plain", true},
		{"content-type", "Text/Plain;charset=utf-8", true},
		{"content-type", "text/plain;garbage", true},
		{"content-type", "text/plain ; charset=x", true},
		{"content-type", "multipart/form-data; boundary=x", true},
		{"content-type", "application/x-www-form-urlencoded", true},
		{"content-type", "application/json", false},
		{"content-type", "text/html", false},
		{"content-type", "text /plain", false},
		{"content-type", "text/plain,", false},
		{"content-type", "text/plain, application/json", false},
		{"content-type", `text/plain; charset="a,b"`, false},
		{"content-type", "text/plain;\x7f", false},
		{"content-type", "text/plain\x0b", false},
		{"content-type", "", false},
		{"content-type", "text/plain; x=" + strings.Repeat("a", 120), false},
		// Range: bytes=N- and bytes=N-M with N <= M only.
		{"range", "bytes=0-", true},
		{"range", "bytes=100-200", true},
		{"range", "bytes=5-5", true},
		{"range", "bytes=5-1", false},
		{"range", "bytes=-5", false},
		{"range", "bytes= 0-", false},
		{"range", "bytes=0-1,3-4", false},
		{"range", "items=0-", false},
		{"range", "bytes=99999999999999999999-100000000000000000000", true},
		// Chromium's client hints, with the value rules Chromium 156 applies.
		{"dpr", "2", true},
		{"dpr", "1.5", true},
		{"dpr", "x", false},
		{"dpr", "-1", false},
		{"dpr", "1e3", false},
		{"device-memory", "0.5", true},
		{"downlink", "1.5", true},
		{"width", "100", true},
		{"width", "1.5", false},
		{"viewport-width", "+5", false},
		{"rtt", "50", true},
		{"rtt", "1.5", false},
		{"ect", "4g", true},
		{"ect", "slow-2g", true},
		{"ect", "5g", false},
		{"save-data", "on", true},
		{"save-data", "off", false},
		// Everything else needs the preflight.
		{"x-api-key", "k", false},
		{"authorization", "Bearer t", false},
		{"last-event-id", "1", false},
		{"priority", "u=1", false},
	}
	for _, c := range cases {
		why := unsafeHeaderReason(c.name, c.value)
		if (why == "") != c.safe {
			t.Errorf("%s: %q: safelisted = %v, want %v (%s)", c.name, c.value, why == "", c.safe, why)
		}
		if !c.safe && !strings.Contains(why, c.name) {
			t.Errorf("%s: %q: the reason %q does not name the header", c.name, c.value, why)
		}
	}
}

func TestSafelistedTotal(t *testing.T) {
	// Nine safelisted values of 128 bytes: 1152 > 1024, so all need the preflight.
	digits := strings.Repeat("1", 128)
	var hs []trace.HeaderEdit
	for _, n := range []string{"Accept", "Accept-Language", "Content-Language", "DPR", "Device-Memory", "Downlink", "Width", "Viewport-Width", "RTT"} {
		v := digits
		hs = append(hs, trace.HeaderEdit{Name: n, Value: v})
	}
	r := newTestRequest(t, Config{Headers: hs})
	d := r.Decide()
	if !d.Needed || len(d.Unsafe) != 9 || !strings.Contains(d.Reasons[len(d.Reasons)-1], "1152 bytes") {
		t.Fatalf("decision = %+v", d)
	}
	// 1024 exactly is still fine.
	r = newTestRequest(t, Config{Headers: hs[:8]})
	if d := r.Decide(); d.Needed {
		t.Fatalf("8 x 128 = 1024 bytes must not need a preflight: %+v", d)
	}
}

func TestMethodNormalisation(t *testing.T) {
	cases := []struct {
		in, want string
		body     bool
		bad      string
	}{
		{"", "GET", false, ""},
		{"", "POST", true, ""},
		{"get", "GET", false, ""},
		{"delete", "DELETE", false, ""},
		{"options", "OPTIONS", false, ""},
		{"Put", "PUT", false, ""},
		{"patch", "patch", false, ""}, // not one of the six
		{"PATCH", "PATCH", false, ""},
		{"NEW", "NEW", false, ""},
		{"trace", "", false, "unsupported"},
		{"CONNECT", "", false, "unsupported"},
		{"TRACK", "", false, "unsupported"},
		{"GET", "", true, "GET/HEAD"},
		{"head", "", true, "GET/HEAD"},
		{"PO ST", "", false, "not a valid method"},
	}
	for _, c := range cases {
		got, err := normalizeMethod(c.in, c.body)
		switch {
		case c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%q: err = %v, want one saying %q", c.in, err, c.bad)
		case c.bad == "" && (err != nil || got != c.want):
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
