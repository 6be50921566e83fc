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
}

func init() {
	for i := range scenarios {
		if w, ok := firefoxDiffers[scenarios[i].Name]; ok {
			scenarios[i].Firefox = &w
		}
	}
}
