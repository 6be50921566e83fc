package corslab

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Planted misconfigurations for --scan, at /scan/{kind}. Each is a bad
// origin check seen in real servers; all allow the API's own https
// origin and answer with credentials unless the kind says otherwise.
// ScanKinds maps each kind to the finding class --scan must report.
var ScanKinds = map[string]string{
	"reflect":    "reflected-origin",
	"null":       "null-origin",
	"prefix":     "prefix-match",
	"suffix":     "suffix-match",
	"substring":  "substring-match",
	"regex-dot":  "unescaped-dot",
	"subdomains": "any-subdomain",
	"http":       "https-trusts-http",
	"underscore": "special-characters",
	"github-io":  "third-party",
	"wildcard":   "wildcard",
	"no-vary":    "reflected-without-vary",
	"two-values": "multiple-values",
	"echo-acrh":  "allow-headers-reflected",
}

const apiHTTPS = "https://" + APIHost

// dotRegex is the classic mistake: the dots are not escaped.
var dotRegex = regexp.MustCompile(`^https?://api.cors.test$`)

// allowFor returns the Allow-Origin value a kind sends for an Origin ("" for none).
func allowFor(kind, origin string) string {
	host := ""
	if u, err := url.Parse(origin); err == nil {
		host = u.Hostname()
	}
	allow := origin == apiHTTPS
	switch kind {
	case "reflect", "no-vary", "echo-acrh", "two-values":
		allow = origin != ""
	case "null":
		allow = allow || origin == "null"
	case "prefix":
		allow = strings.HasPrefix(origin, apiHTTPS)
	case "suffix":
		allow = strings.HasSuffix(host, "cors.test")
	case "substring":
		allow = host != "" && strings.Contains(APIHost, host)
	case "regex-dot":
		allow = dotRegex.MatchString(origin)
	case "subdomains":
		allow = allow || strings.HasSuffix(host, "."+APIHost)
	case "http":
		allow = allow || origin == "http://"+APIHost
	case "underscore":
		allow = allow || strings.HasPrefix(origin, apiHTTPS+"_")
	case "github-io":
		allow = allow || strings.HasSuffix(host, ".github.io")
	case "wildcard":
		return "*"
	}
	if !allow {
		return ""
	}
	return origin
}

// scanHandler answers GET and OPTIONS for one planted kind.
func scanHandler(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	if _, ok := ScanKinds[kind]; !ok && kind != "strict" {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	if acao := allowFor(kind, r.Header.Get("Origin")); acao != "" {
		hd.Set("Access-Control-Allow-Origin", acao)
		if kind == "two-values" {
			hd.Add("Access-Control-Allow-Origin", acao)
		}
		if acao != "*" && kind != "github-io" {
			hd.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	if kind != "no-vary" && kind != "reflect" {
		hd.Set("Vary", "Origin")
	}
	if r.Method == http.MethodOptions {
		hd.Set("Access-Control-Allow-Methods", "GET, PUT")
		hd.Set("Access-Control-Allow-Headers", "authorization")
		if kind == "echo-acrh" {
			hd.Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	hd.Set("Content-Type", "application/json")
	w.Write([]byte(`{"secret":"lab"}` + "\n"))
}
