// Package jwt writes what `reqtrace jwt` decoded: the text and the
// reqtrace.jwt/v1 JSON.
package jwt

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace/annotate"
)

// Report is what `reqtrace jwt` found: the decoded token, whether its
// signature verified (nil when no key was given) and why not.
type Report struct {
	Token       annotate.JWT
	Verified    *bool
	VerifyError string
	Now         time.Time
}

// problems lists what is wrong with the token itself.
func (r Report) problems() []string {
	var out []string
	t := r.Token
	switch {
	case strings.EqualFold(t.Alg, "none"):
		out = append(out, `alg is "none": the token is not signed, and no server should accept it`)
	case t.SignatureLen == 0 && !t.Encrypted:
		out = append(out, "the signature is empty")
	}
	switch {
	case t.ExpiresAt.IsZero() && !t.Encrypted:
		out = append(out, "no exp claim: the token never expires")
	case !t.ExpiresAt.IsZero() && r.Now.After(t.ExpiresAt):
		out = append(out, "expired "+ago(r.Now.Sub(t.ExpiresAt))+" ago")
	}
	if !t.NotBefore.IsZero() && r.Now.Before(t.NotBefore) {
		out = append(out, "not valid for another "+ago(t.NotBefore.Sub(r.Now))+" (nbf)")
	}
	return append(out, t.Problems...)
}

// ago is a short, human duration.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// Text writes the token's header, claims (times as dates, relative to
// now), signature size and verification. The signature is never shown.
func Text(w io.Writer, r Report, st render.Style) error {
	pr := render.NewPrinter(w, st)
	t := r.Token
	kind := "JWS (signed)"
	if t.Encrypted {
		kind = "JWE (encrypted): only the header can be read"
	}
	pr.Title("JWT", render.Safe(t.Alg), kind)
	claims(pr, "header", t.Header, r.Now)
	if !t.Encrypted {
		claims(pr, "claims", t.Claims, r.Now)
		pr.KV("signature", fmt.Sprintf("%d bytes (not shown)", t.SignatureLen))
	}
	switch {
	case r.Verified == nil && t.Encrypted:
		pr.KV("verified", pr.Pal.Dim.Sprint("no signature to check: the payload is encrypted (reqtrace does not decrypt)"))
	case r.Verified == nil:
		pr.KV("verified", pr.Pal.Dim.Sprint("not checked: give --secret or --key"))
	case *r.Verified:
		pr.KV("verified", pr.Pal.OK.Sprint("✓ the signature matches the key"))
	default:
		pr.KV("verified", pr.Pal.Bad.Sprint("✗ "+render.Safe(r.VerifyError)))
	}
	for _, p := range r.problems() {
		pr.Line(render.Indent + pr.Pal.Warn.Sprint("⚠ ") + render.Safe(p))
	}
	return pr.Err
}

// claims prints a JSON object's members sorted, with NumericDate claims
// as dates.
func claims(pr *render.Printer, title string, m map[string]any, now time.Time) {
	pr.Line(render.Indent + pr.Pal.Title.Sprint(title))
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		pr.KVWrap(render.Indent, render.Safe(k), render.Safe(claimText(k, m[k], now)))
	}
}

func claimText(k string, v any, now time.Time) string {
	if n, ok := v.(json.Number); ok && (k == "exp" || k == "iat" || k == "nbf" || k == "auth_time") {
		if secs, err := n.Int64(); err == nil {
			t := time.Unix(secs, 0).UTC()
			rel := "in " + ago(t.Sub(now))
			if t.Before(now) {
				rel = ago(now.Sub(t)) + " ago"
			}
			return fmt.Sprintf("%s (%s, %s)", n, t.Format(time.RFC3339), rel)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// JSON writes the report as {"schema": "reqtrace.jwt/v1", ...}.
func JSON(w io.Writer, r Report) error {
	t := r.Token
	times := map[string]*string{}
	for name, at := range map[string]time.Time{"iat": t.IssuedAt, "nbf": t.NotBefore, "exp": t.ExpiresAt} {
		if !at.IsZero() {
			s := at.UTC().Format(time.RFC3339)
			times[name] = &s
		}
	}
	doc := map[string]any{
		"schema":          "reqtrace.jwt/v1",
		"header":          t.Header,
		"claims":          t.Claims,
		"times":           times,
		"encrypted":       t.Encrypted,
		"signature_bytes": t.SignatureLen,
		"verified":        r.Verified,
		"verify_error":    render.StrOrNull(r.VerifyError),
		"problems":        render.OrEmpty(r.problems()),
	}
	return render.WriteJSON(w, doc)
}
