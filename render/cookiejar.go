package render

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// CookieJar writes -c/--cookie-jar: the cookies the engine holds, in
// the Netscape format curl writes and -b reads back (one line a cookie:
// domain, include-subdomains, path, secure, expiry in Unix seconds or 0,
// name, value; "#HttpOnly_" before the domain of an HttpOnly cookie).
// Values are written whole: the file exists to be sent back.
func CookieJar(w io.Writer, cookies []trace.Cookie) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("# Netscape HTTP Cookie File\n# https://curl.se/docs/http-cookies.html\n# This file was written by reqtrace; -b reads it back.\n\n")
	for _, c := range cookies {
		domain, sub := c.Domain, "FALSE"
		if !c.HostOnly {
			domain, sub = "."+domain, "TRUE"
		}
		if c.HTTPOnly {
			domain = "#HttpOnly_" + domain
		}
		expires := int64(0)
		if !c.Expires.IsZero() {
			expires = c.Expires.Unix()
		}
		fields := []string{domain, sub, c.Path, strings.ToUpper(strconv.FormatBool(c.Secure)), strconv.FormatInt(expires, 10), c.Name, c.Value}
		for i, f := range fields { // a tab or line break would break the line apart
			fields[i] = strings.Map(func(r rune) rune {
				if r == '\t' || r == '\n' || r == '\r' {
					return -1
				}
				return r
			}, f)
		}
		bw.WriteString(strings.Join(fields, "\t") + "\n")
	}
	return bw.Flush()
}
