package realtest

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// A differential check compares reqtrace's value of a field with the
// reference tool's. Every field is either equal or named here, in the
// allow-list of deliberate differences; each entry points at its README
// paragraph ("Deliberate differences from curl, dig and openssl"). An
// entry is exactly one field: the comparison skips it and nothing else.
var deliberate = map[string]string{
	"w.curl_version": "README: curl_version names reqtrace, not libcurl",
	"w.errormsg":     "README: errormsg is reqtrace's own sentence (both are empty on success, both set on failure)",
	"stderr":         "README: the error message is reqtrace's own sentence with a hint",
}

// known marks the fields where issue 9 item 2 lists a reqtrace defect
// being fixed on another branch: the check still fails, with this reason
// in its message, until the fix lands.
var known = map[string]string{}

type diff struct {
	t    *testing.T
	name string // the case
}

func newDiff(t *testing.T, name string) *diff { return &diff{t: t, name: name} }

// eq checks that reqtrace's value (got) equals the reference's (want).
func (d *diff) eq(field string, got, want any) bool {
	d.t.Helper()
	if why, ok := deliberate[field]; ok {
		if !reflect.DeepEqual(got, want) {
			d.t.Logf("%s: %s differs deliberately (%s): reqtrace %v, reference %v", d.name, field, why, show(got), show(want))
		}
		return true
	}
	if reflect.DeepEqual(got, want) {
		return true
	}
	msg := fmt.Sprintf("%s: %s: reqtrace %s, reference %s", d.name, field, show(got), show(want))
	if why := known[d.name+" "+field]; why != "" {
		msg += " (known defect: " + why + ")"
	}
	d.t.Error(msg)
	return false
}

// truth checks a property of reqtrace's own output that has no reference
// value (e.g. the -w times are in order).
func (d *diff) truth(field string, ok bool, format string, args ...any) {
	d.t.Helper()
	if !ok {
		d.t.Errorf("%s: %s: %s", d.name, field, fmt.Sprintf(format, args...))
	}
}

func show(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case []byte:
		s := string(v)
		if len(s) > 600 {
			s = s[:600] + "…"
		}
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%#v", v)
}

func itoa(n int) string { return strconv.Itoa(n) }

// lines splits b into lines for a readable diff of two heads.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			fmt.Fprintf(&b, "\n    line %d: reqtrace %q\n             curl     %q", i+1, gl, wl)
		}
	}
	return b.String()
}
