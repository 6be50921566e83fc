package corslab

// firefoxDiffers is what Firefox ESR 153 did where it differs from
// Chromium 156 (the scenario's Want), by scenario name; the browser test
// checks both. Console texts are Chromium's only: Firefox is driven by no
// protocol and its console is not read.
var firefoxDiffers = map[string]Want{
	// Firefox lets script set User-Agent (the standard no longer forbids
	// it); not being safelisted, it is preflighted.
	"forbidden-headers": {Preflight: true},
	// Client hints are safelisted by Chromium only.
	"client-hint-dpr": {Preflight: true},
	// A request that was preflighted is preflighted again at the new
	// location after a redirect, even when what is left of it is simple,
	// and that preflight carries the page's origin, not null.
	"redirect-authorization-other": {Preflight: true, Allowed: true, Readable: basicRead, Requests: 2,
		Target: Reached{Preflight: "{page}", Method: "GET", Origin: "null"}},
	"redirect-301-json-post": {Preflight: true, Allowed: true, Readable: basicRead, Requests: 2,
		Target: Reached{Preflight: "{page}", Method: "GET", Origin: "null"}},
	"redirect-307-put-other": {Preflight: true, Allowed: true, Readable: basicRead, Requests: 2,
		Target: Reached{Preflight: "{page}", Method: "PUT", Origin: "null"}},
	"redirect-307-put-other-refused": {Preflight: true, Requests: 1, Target: Reached{Preflight: "{page}"}},
	// Firefox ESR does not block a public page's requests to loopback
	// (Local Network Access is Chromium's).
	"lna-public-http":     {Allowed: true, Readable: basicRead},
	"lna-public-http-put": {Preflight: true, Allowed: true, Readable: basicRead},

	// Redirects: Firefox follows an empty Location to the response's own
	// URL, as the standard reads it (into the redirect limit); it fails a
	// Location holding a tab (the standard strips it); it follows a
	// same-origin redirect to user:pass@ (the standard does too).
	"loc-empty":                {Requests: 21},
	"loc-tab":                  {Requests: 1},
	"loc-same-origin-userinfo": {Allowed: true, Readable: []string{"content-length", "content-type", "date", "x-a"}, Requests: 2, Target: Reached{Method: "GET"}},

	// Header values: Firefox checks each header-list entry on its own
	// (two text/plain Content-Types stay simple; the standard combines
	// them first, and "text/plain, text/plain" is not a MIME type), does
	// not safelist bytes above 0x7F in Accept, and has no client hints.
	"value-non-ascii-accept": {Preflight: true},
	"value-dup-content-type": {Allowed: true, Readable: basicRead},
	"value-save-data":        {Preflight: true},
	"value-ect":              {Preflight: true},
	// Firefox has no 1024-byte total over the entries either.
	"value-accept-entries-1152": {Allowed: true, Readable: basicRead},
	"user-agent-listed":         {Preflight: true, Allowed: true, Readable: basicRead},
	// Its preflight at the new origin is checked against the page's
	// origin, so the PUT goes out (with Origin: null) and fails there.
	"redirect-307-put-other-page-only": {Preflight: true, Requests: 2, Target: Reached{Preflight: "{page}", Method: "PUT", Origin: "null"}},
}

func init() {
	for i := range scenarios {
		if w, ok := firefoxDiffers[scenarios[i].Name]; ok {
			scenarios[i].Firefox = &w
		}
	}
}
