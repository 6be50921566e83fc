package cmd

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/reqtrace/reqtrace/trace"
)

// shapeRequest applies the curl flags that reshape the request once the
// body is read: -T uploads a file with PUT, -G moves the -d data into the
// query, -r asks for a byte range, --oauth2-bearer sends a token.
func (f *traceFlags) shapeRequest(ios *IO, o *trace.Options) error {
	if f.uploadFile != "" {
		if err := f.upload(ios, o); err != nil {
			return err
		}
	}
	if f.get {
		if o.Body != nil { // curl: "?" or "&" then the data, as -d joined it
			q := o.URL.RawQuery
			if q != "" {
				q += "&"
			}
			o.URL.RawQuery = q + string(o.Body)
		}
		o.Body, o.ContentType = nil, "" // no body: GET, or HEAD with -I
	}
	if f.head && o.Body != nil {
		return trace.BadInput("-I sends HEAD, which carries no body: drop the data, or add -G to put it in the URL's query")
	}
	if f.byteRange != "" {
		if err := f.rangeHeader(ios, o); err != nil {
			return err
		}
	}
	if f.bearer != "" {
		o.Bearer = f.bearer
	}
	return nil
}

// rangeHeader turns -r into a Range header, unless -H sets one (curl's
// rule too).
func (f *traceFlags) rangeHeader(ios *IO, o *trace.Options) error {
	if onlyDigits(f.byteRange) { // curl appends the dash, and says so
		f.byteRange += "-"
		if !f.silent {
			fmt.Fprintf(ios.ErrOut, "reqtrace: warning: a byte range needs a dash: -r %s asks from byte %s to the end\n", f.byteRange, strings.TrimSuffix(f.byteRange, "-"))
		}
	}
	if !byteRanges().MatchString(f.byteRange) {
		return trace.BadInput("-r %q is not a byte range: write FIRST-LAST, FIRST- or -SUFFIX (e.g. 0-499), several joined by commas", f.byteRange)
	}
	if !hasHeader(o.Headers, "Range") {
		o.Headers = append(o.Headers, trace.HeaderEdit{Name: "Range", Value: "bytes=" + f.byteRange})
	}
	return nil
}

// byteRanges is the syntax -r accepts: RFC 9110's int-range and
// suffix-range, comma-separated.
var byteRanges = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d+-\d*|-\d+)(,(\d+-\d*|-\d+))*$`) })

// upload reads -T FILE as the body of a PUT. As curl does, a URL that
// names no file (it ends in "/") gets the file's name appended.
func (f *traceFlags) upload(ios *IO, o *trace.Options) error {
	body, err := readInput("-T", f.uploadFile, ios.In, maxBody)
	if err != nil {
		return err
	}
	o.Body, o.ContentType, o.Upload = body, "", true // curl sends no Content-Type for -T; PUT unless -X
	if f.uploadFile != "-" && (o.URL.Path == "" || strings.HasSuffix(o.URL.Path, "/")) {
		// on the escaped path, so that an escape already in it (%2F) stays
		escaped := strings.TrimSuffix(o.URL.EscapedPath(), "/") + "/" + url.PathEscape(filepath.Base(f.uploadFile))
		o.URL.Path, _ = url.PathUnescape(escaped)
		o.URL.RawPath = escaped
	}
	return nil
}

func onlyDigits(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

func hasHeader(es []trace.HeaderEdit, name string) bool {
	for _, e := range es {
		if strings.EqualFold(e.Name, name) {
			return true
		}
	}
	return false
}
