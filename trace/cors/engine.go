package cors

import "github.com/reqtrace/reqtrace/trace"

// Browser engines reqtrace models. Where they differ (the browser test
// records both on every scenario), Config.Browser picks one, and a
// browser-difference warning says what the other does.
const (
	Chromium = "chromium" // Chromium 156, the default
	Firefox  = "firefox"  // Firefox ESR 153
)

// Engines lists the engines, the default first.
var Engines = []string{Chromium, Firefox}

// ParseBrowser checks a --browser value.
func ParseBrowser(s string) (string, error) {
	switch s {
	case "", Chromium, "chrome":
		return Chromium, nil
	case Firefox:
		return Firefox, nil
	}
	return "", trace.BadInput("--browser %q: use chromium or firefox", s)
}

// engineName is an engine as prose names it.
func engineName(e string) string {
	if e == Firefox {
		return "Firefox"
	}
	return "Chromium"
}

func (r *Request) firefox() bool { return r.Engine == Firefox }
