package render

import (
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reqtrace/reqtrace/trace"
)

// WriteOutMax caps the bytes one WriteOut call writes, to stdout, stderr and
// %output{} files together. A format that asks for more (a huge @file, a
// thousand %{json}) is cut there, and one line on stderr says so.
const WriteOutMax = 1 << 20

// WriteOutOptions tunes WriteOut. The zero value is the safe default.
type WriteOutOptions struct {
	// ShowSecrets prints Authorization, Proxy-Authorization, Cookie and
	// Set-Cookie values, URL passwords and JWT signatures as received;
	// without it they read "[redacted]" (URL passwords "xxxxx").
	ShowSecrets bool
	// Now is the clock for %time{}; nil means time.Now.
	Now func() time.Time
	// Output opens the file of %output{name} (appendTo for %output{>>name}).
	// nil turns %output{} off: the output stays where it was, as curl does
	// when the file cannot be created, and stderr says why. cmd passes
	// OpenWriteOutFile.
	Output func(name string, appendTo bool) (io.WriteCloser, error)
}

// OpenWriteOutFile opens name for %output{}: created with mode 0600 as in
// curl, truncated, or appended to with appendTo.
func OpenWriteOutFile(name string, appendTo bool) (io.WriteCloser, error) {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	return os.OpenFile(name, flag, 0o600)
}

// WriteOut expands a curl -w format for r. exit is the process exit code
// reqtrace will return (for %{exitcode}); stdout/stderr receive text per
// %{stdout}/%{stderr} switches (curl semantics: output goes to stdout until
// %{stderr} switches it). It returns the first write error; curl never
// changes its exit code for one, and cmd need not either.
//
// The syntax is curl's (tool_writeout.c, 8.17), byte for byte:
//
//   - %% is %; \n, \r and \t are newline, carriage return and tab; any other
//     backslash pair, \\ included, is printed as it stands (curl does the
//     same, so "\\n" prints a backslash, a backslash and an n).
//   - %{name} is a variable. Names are case-sensitive. An unknown name
//     prints nothing and a warning on stderr, once per name (curl repeats
//     it for every occurrence):
//     reqtrace: unknown --write-out variable: 'name'
//   - %header{name} is the first value of that response header of the last
//     hop (ASCII case-insensitive, trimmed), as curl prints it: curl does not join
//     repeated fields. %header{name:all:SEP} (curl 8.17) prints every value
//     of every hop's final response, in order, with SEP between them; in SEP
//     \n, \r, \t and \} are escapes, and \} does not end the directive.
//   - %time{fmt} is the current UTC time through strftime, plus %f for
//     microseconds (%z is +0000, %Z is UTC), as in curl.
//   - %output{file} and %output{>>file} send what follows to a file, via
//     WriteOutOptions.Output; %{stdout} and %{stderr} switch back.
//   - %{onerror} ends the output there unless the run failed (exit != 0,
//     or r.Err is set).
//   - A % or \ that starts nothing above is printed as it stands.
//   - Everything written, to all destinations together, stops at
//     WriteOutMax (1 MiB); stderr then says the output was cut.
//
// Values follow curl's definitions (docs/cmdline-opts/write-out.md and
// curl_easy_getinfo), with these decisions where reqtrace differs:
//
//   - Times are seconds with six decimals. Within a hop each phase mark is
//     cumulative from the start of the hop: time_namelookup when DNS
//     completed, time_connect when TCP did, time_appconnect when TLS did,
//     time_pretransfer when the request was about to be written,
//     time_posttransfer when it was written, time_starttransfer when the
//     first response byte arrived (a 1xx included, as in curl). With
//     redirects the marks of every hop are added together, exactly as
//     libcurl does (Curl_pgrsTime adds each request's time since its own
//     start, "the time from each request is added together"): a phase
//     figure is not "time_redirect + the last hop's figure". time_redirect
//     is the total of all hops before the last and time_total the total of
//     all hops (the moments between hops are not measured, so both can be a
//     few microseconds under curl's).
//   - A phase that did not happen adds 0: DNS for an IP literal or
//     --resolve (curl reports a few microseconds there), DNS, TCP and TLS on
//     a reused connection, TLS for http:// (curl: time_appconnect 0). So
//     with -L over http:// then https://, time_appconnect can be less than
//     time_connect, as in curl. A phase that failed adds 0 too, and so do
//     the ones after it: a TLS failure keeps time_namelookup and
//     time_connect, and time_appconnect onwards are 0; time_total is always
//     filled. time_queue is always 0.
//   - http_code/response_code is the last hop's status, "000" when it got
//     no response; http_version is "1", "1.1", "2" or "3", "0" without a
//     response.
//   - size_download and size_upload are the last hop's body bytes (curl
//     resets them per redirect); size_header and size_request add up every
//     hop, as curl does. size_download counts body bytes on the wire: after
//     chunked decoding, before --compressed decoding (curl counts the same).
//     speed_* are integer bytes per second over time_total, as curl.
//   - num_connects counts new TCP connections (hops not reused),
//     num_redirects the redirects followed, num_headers the header lines of
//     the last response. num_retries, urlnum, xfer_id, proxy_used,
//     http_connect, proxy_ssl_verify_result and tls_earlydata are 0, and
//     ftp_entry_path and url.options null: reqtrace makes one transfer,
//     without FTP, IMAP or a TLS proxy. conn_id is the last hop's
//     connection number counted from 0 (curl's), -1 when none.
//   - ssl_verify_result is 0 when the chain verified (or no TLS), else an
//     OpenSSL X509_V_ERR code picked from the verification error: 9 not yet
//     valid, 10 expired, 18 self-signed leaf, 19 self-signed root in the
//     chain, 20 unknown issuer, 24 not a CA, 25 path length exceeded, 26 wrong
//     key usage, 47 name constraints, 62 host name mismatch, 1 otherwise.
//     It is filled with -k too, as curl does.
//   - certs prints each certificate of the most recent handshake as curl's
//     OpenSSL backend lays it out (Subject:, Issuer:, Serial Number:, ...,
//     Start date:, Expire date:), but without the PEM: reqtrace does not
//     keep the raw certificates. num_certs counts them.
//   - errormsg is the message of the error that ended the trace; without
//     one but with exit 22 (--fail) it is curl's "The requested URL
//     returned error: N".
//   - filename_effective is the -o file the body went to; url and the
//     url.* parts are the URL as given, url_effective and urle.* the last
//     hop's; scheme is lower case (curl 8.8+).
//   - %{json} is curl's object: every variable above in curl's order with
//     curl's number types (times as numbers with six decimals, codes and
//     sizes as integers, missing strings as null), then "curl_version",
//     which holds "reqtrace/VERSION". %{header_json} is the last response's
//     headers as {"lowercase-name":["value",...]}, one line per name, as
//     curl prints it.
//
// Text that a server chose (header values, content_type, redirect_url,
// certs, errormsg) is made terminal-safe like the rest of reqtrace's
// output: control characters, bidi overrides and bytes that are not UTF-8
// become visible escapes (curl prints them raw). JSON strings escape them.
// Secrets are redacted unless ShowSecrets (see WriteOutOptions).
func WriteOut(stdout, stderr io.Writer, format string, r *trace.Result, exit int, opts WriteOutOptions) error {
	if r == nil {
		r = &trace.Result{}
	}
	f := newWoFacts(r, exit, opts)
	o := newWoOut(stdout, stderr)
	warned := map[string]bool{}
	s := format
	for i := 0; i < len(s) && !o.cut; {
		c := s[i]
		switch {
		case c == '%' && i+1 < len(s):
			rest := s[i+1:]
			switch {
			case rest[0] == '%':
				o.writeByte('%')
				i += 2
			case rest[0] == '{':
				end := strings.IndexByte(s[i+2:], '}')
				if end < 0 {
					o.write("%{")
					i += 2
					continue
				}
				name := s[i+2 : i+2+end]
				i += 2 + end + 1
				if !f.variable(o, name, warned) {
					i = len(s) // %{onerror} without an error
				}
			case strings.HasPrefix(rest, "header{"):
				i = f.header(o, s, i+len("%header{"))
			case strings.HasPrefix(rest, "time{"):
				i = f.timeDirective(o, s, i+len("%time{"))
			case strings.HasPrefix(rest, "output{"):
				i = f.output(o, s, i+len("%output{"), warned)
			default:
				o.write(s[i : i+2])
				i += 2
			}
		case c == '\\' && i+1 < len(s):
			woBackslash(o, s[i:i+2], false)
			i += 2
		default:
			// Copy the run of plain bytes up to the next % or \ at once.
			j := i + 1
			for j < len(s) && s[j] != '%' && s[j] != '\\' {
				j++
			}
			o.write(s[i:j])
			i = j
		}
	}
	return o.close()
}

// variable expands %{name}. It reports false when %{onerror} ends the output.
func (f *woFacts) variable(o *woOut, name string, warned map[string]bool) bool {
	switch name {
	case "onerror":
		return f.failed()
	case "stdout":
		o.switchTo(o.stdout, nil)
	case "stderr":
		o.switchTo(o.stderr, nil)
	case "json":
		o.write(f.jsonObject())
	case "header_json":
		o.write(f.headerJSON())
	default:
		v := woIndex[name]
		if v == nil {
			if !warned[name] {
				warned[name] = true
				o.warn("reqtrace: unknown --write-out variable: '" + woSafe(name) + "'\n")
			}
			return true
		}
		o.write(f.text(v))
	}
	return true
}

// header expands %header{...}; i is just past "%header{". It returns where
// the format goes on.
func (f *woFacts) header(o *woOut, s string, i int) int {
	// The directive ends at the first } not preceded by a backslash
	// (curl's output_header; s[i-1] is the '{').
	end := -1
	for j := i; j < len(s); j++ {
		if s[j] == '}' && s[j-1] != '\\' {
			end = j
			break
		}
	}
	if end < 0 {
		o.write("%header{")
		return i
	}
	name, sep, all := s[i:end], "", false
	// Only the first colon can start ":all:", as in curl.
	if k := strings.IndexByte(name, ':'); k >= 0 && strings.HasPrefix(name[k+1:], "all:") {
		name, sep, all = name[:k], name[k+len(":all:"):], true
	}
	if len(name) >= 256 { // curl's buffer for the longest header name
		return end + 1
	}
	idx := f.headerIndex()
	key := woLowerASCII(name)
	if !all {
		if h, ok := idx.last[key]; ok {
			o.write(woSafe(f.headerValue(h)))
		}
		return end + 1
	}
	for n, h := range idx.all[key] {
		if o.cut {
			break
		}
		if n > 0 {
			woSeparator(o, sep)
		}
		o.write(woSafe(f.headerValue(h)))
	}
	return end + 1
}

// woHeaders indexes response headers by lower-case name for %header{}, so
// a long format over a long header list stays linear.
type woHeaders struct {
	all  map[string][]trace.Header // every hop's final response, in order
	last map[string]trace.Header   // the first of each name in the last hop
}

func (f *woFacts) headerIndex() *woHeaders {
	if f.hdrIndex != nil {
		return f.hdrIndex
	}
	idx := &woHeaders{all: map[string][]trace.Header{}, last: map[string]trace.Header{}}
	for i := range f.r.Hops {
		rs := f.r.Hops[i].Response
		if rs == nil {
			continue
		}
		for _, h := range rs.Headers {
			k := woLowerASCII(h.Name)
			idx.all[k] = append(idx.all[k], h)
			if i == len(f.r.Hops)-1 {
				if _, seen := idx.last[k]; !seen {
					idx.last[k] = h
				}
			}
		}
	}
	f.hdrIndex = idx
	return idx
}

// woLowerASCII lower-cases A-Z only: curl compares header names that way.
func woLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] |= 0x20
				}
			}
			return string(b)
		}
	}
	return s
}

// woSeparator writes the separator of %header{name:all:SEP}: \r, \n, \t and
// \} are escapes, any other backslash pair stays as it is.
func woSeparator(o *woOut, sep string) {
	for j := 0; j < len(sep); {
		if sep[j] != '\\' || j+1 == len(sep) {
			o.writeByte(sep[j])
			j++
			continue
		}
		woBackslash(o, sep[j:j+2], true)
		j += 2
	}
}

// woBackslash writes a backslash pair as curl does: \r, \n and \t (and
// \} inside a separator, when brace is set) are escapes; any other pair
// stays as it is.
func woBackslash(o *woOut, pair string, brace bool) {
	switch {
	case pair[1] == 'r':
		o.writeByte('\r')
	case pair[1] == 'n':
		o.writeByte('\n')
	case pair[1] == 't':
		o.writeByte('\t')
	case pair[1] == '}' && brace:
		o.writeByte('}')
	default:
		o.write(pair)
	}
}

// timeDirective expands %time{fmt}; i is just past "%time{".
func (f *woFacts) timeDirective(o *woOut, s string, i int) int {
	end := strings.IndexByte(s[i:], '}')
	if end < 0 {
		o.write("%time{")
		return i
	}
	now := time.Now
	if f.opts.Now != nil {
		now = f.opts.Now
	}
	o.write(woStrftime(s[i:i+end], now()))
	return i + end + 1
}

// output handles %output{file} and %output{>>file}; i is just past
// "%output{".
func (f *woFacts) output(o *woOut, s string, i int, warned map[string]bool) int {
	appendTo := strings.HasPrefix(s[i:], ">>")
	if appendTo {
		i += 2
	}
	end := strings.IndexByte(s[i:], '}')
	if end < 0 {
		o.write("%output{")
		return i
	}
	name := s[i : i+end]
	next := i + end + 1
	if len(name) >= 512 { // curl's buffer for the longest file name
		return next
	}
	if f.opts.Output == nil {
		if !warned["%output"] {
			warned["%output"] = true
			o.warn("reqtrace: --write-out: %output{} is not available here; the output stays where it was\n")
		}
		return next
	}
	w, err := f.opts.Output(name, appendTo)
	if err != nil {
		o.warn("reqtrace: --write-out: cannot write to " + woSafe(name) + ": " + woSafe(err.Error()) + "\n")
		return next
	}
	o.switchTo(w, w)
	return next
}

// --- output with a budget

// woOut writes to the current destination through a buffer, flushed before
// every switch and warning so the order on a shared terminal is kept, and
// stops for good at WriteOutMax bytes.
type woOut struct {
	stdout, stderr io.Writer
	cur            io.Writer
	file           io.Closer // the %output{} file cur writes to, if any
	buf            []byte
	left           int
	cut            bool
	err            error
}

func newWoOut(stdout, stderr io.Writer) *woOut {
	if stdout == nil {
		stdout = io.Discard
	}
	if stderr == nil {
		stderr = io.Discard
	}
	return &woOut{stdout: stdout, stderr: stderr, cur: stdout, left: WriteOutMax}
}

// take shortens s to what the budget still allows.
func (o *woOut) take(s string) string {
	if o.cut {
		return ""
	}
	if len(s) > o.left {
		s, o.cut = s[:o.left], true
	}
	o.left -= len(s)
	return s
}

func (o *woOut) write(s string) {
	if s = o.take(s); s != "" {
		o.buf = append(o.buf, s...)
		if len(o.buf) >= 32<<10 {
			o.flush()
		}
	}
}

func (o *woOut) writeByte(c byte) {
	if o.cut {
		return
	}
	if o.left == 0 {
		o.cut = true
		return
	}
	o.left--
	o.buf = append(o.buf, c)
}

func (o *woOut) flush() {
	if len(o.buf) == 0 {
		return
	}
	if _, err := o.cur.Write(o.buf); err != nil && o.err == nil {
		o.err = err
	}
	o.buf = o.buf[:0]
}

func (o *woOut) closeFile() {
	if o.file != nil {
		if err := o.file.Close(); err != nil && o.err == nil {
			o.err = err
		}
		o.file = nil
	}
}

func (o *woOut) switchTo(w io.Writer, file io.Closer) {
	o.flush()
	o.closeFile()
	o.cur, o.file = w, file
}

// warn writes a diagnostic line to stderr at once, inside the budget.
func (o *woOut) warn(msg string) {
	if msg = o.take(msg); msg == "" {
		return
	}
	o.flush()
	if _, err := io.WriteString(o.stderr, msg); err != nil && o.err == nil {
		o.err = err
	}
}

func (o *woOut) close() error {
	o.flush()
	o.closeFile()
	if o.cut {
		_, _ = io.WriteString(o.stderr, "reqtrace: --write-out output cut at "+strconv.Itoa(WriteOutMax>>20)+" MiB\n")
	}
	return o.err
}

// --- the values

// woKind is how curl prints a variable: its writeTime, writeLong,
// writeOffset or writeString.
type woKind uint8

const (
	woTime   woKind = iota // seconds with six decimals
	woLong                 // a C long; http_code and http_connect print as %03ld
	woOffset               // a curl_off_t
	woString
)

type woVar struct {
	name string
	kind woKind
	get  func(*woFacts) woVal
}

// woVal is one value; ok false means curl has none (nothing printed, JSON
// null).
type woVal struct {
	ok   bool
	n    int64
	d    time.Duration
	s    string
	safe bool // s is already terminal-safe
}

func woNum(n int64) woVal         { return woVal{ok: true, n: n} }
func woDur(d time.Duration) woVal { return woVal{ok: true, d: d} }
func woStr(s string) woVal        { return woVal{ok: true, s: s} }
func woStrOrNull(s string) woVal  { return woVal{ok: s != "", s: s} }
func woZero(*woFacts) woVal       { return woNum(0) }
func woNull(*woFacts) woVal       { return woVal{} }
func woURLVar(part string) func(*woFacts) woVal {
	return func(f *woFacts) woVal { return woURLPart(f.r.URL, part, f.opts.ShowSecrets) }
}
func woURLEVar(part string) func(*woFacts) woVal {
	return func(f *woFacts) woVal { return woURLPart(f.effectiveURL(), part, f.opts.ShowSecrets) }
}

// woVars are curl's variables in curl's order (strcmp order, which is also
// the order of %{json}); json, header_json, onerror, stdout and stderr are
// handled apart, as in curl.
var woVars = []woVar{
	{"certs", woString, (*woFacts).certs},
	{"conn_id", woOffset, func(f *woFacts) woVal {
		if f.last == nil || f.last.ConnID == 0 {
			return woNum(-1)
		}
		return woNum(int64(f.last.ConnID) - 1)
	}},
	{"content_type", woString, func(f *woFacts) woVal {
		if f.last == nil || f.last.Response == nil {
			return woVal{}
		}
		for _, h := range f.last.Response.Headers {
			if strings.EqualFold(h.Name, "content-type") {
				return woStr(woTrim(h.Value))
			}
		}
		return woVal{}
	}},
	{"errormsg", woString, (*woFacts).errormsg},
	{"exitcode", woLong, func(f *woFacts) woVal { return woNum(int64(f.exit)) }},
	{"filename_effective", woString, func(f *woFacts) woVal {
		if f.last == nil || f.last.Response == nil {
			return woVal{}
		}
		return woStrOrNull(f.last.Response.SavedTo)
	}},
	{"ftp_entry_path", woString, woNull},
	{"http_code", woLong, (*woFacts).status},
	{"http_connect", woLong, woZero},
	{"http_version", woString, func(f *woFacts) woVal {
		if f.last == nil || f.last.Response == nil {
			return woStr("0")
		}
		switch strings.ToUpper(f.last.Response.Proto) {
		case "HTTP/1.0":
			return woStr("1")
		case "HTTP/1.1":
			return woStr("1.1")
		case "HTTP/2", "HTTP/2.0":
			return woStr("2")
		case "HTTP/3", "HTTP/3.0":
			return woStr("3")
		}
		return woStr("0")
	}},
	{"local_ip", woString, func(f *woFacts) woVal { ip, _ := f.local(); return woStr(ip) }},
	{"local_port", woLong, func(f *woFacts) woVal { _, port := f.local(); return woNum(port) }},
	{"method", woString, func(f *woFacts) woVal {
		if f.last == nil {
			return woVal{}
		}
		return woStrOrNull(f.last.Request.Method)
	}},
	{"num_certs", woLong, func(f *woFacts) woVal {
		if f.tls == nil {
			return woNum(0)
		}
		return woNum(int64(len(f.tls.Certificates)))
	}},
	{"num_connects", woLong, func(f *woFacts) woVal { return woNum(f.connects) }},
	{"num_headers", woLong, func(f *woFacts) woVal {
		if f.last == nil || f.last.Response == nil {
			return woNum(0)
		}
		return woNum(int64(len(f.last.Response.Headers) + f.last.Response.HeadersCut))
	}},
	{"num_redirects", woLong, func(f *woFacts) woVal { return woNum(f.redirects) }},
	{"num_retries", woLong, woZero},
	{"proxy_ssl_verify_result", woLong, woZero},
	{"proxy_used", woLong, woZero},
	{"redirect_url", woString, func(f *woFacts) woVal {
		if f.last == nil || f.last.Redirect == nil || f.last.Redirect.Followed {
			return woVal{}
		}
		return woStrOrNull(f.showURL(f.last.Redirect.Location))
	}},
	{"referer", woString, func(f *woFacts) woVal {
		if f.last == nil {
			return woVal{}
		}
		for _, h := range f.last.Request.Headers {
			if strings.EqualFold(h.Name, "referer") {
				return woStr(f.showURL(woTrim(h.Value)))
			}
		}
		return woVal{}
	}},
	{"remote_ip", woString, func(f *woFacts) woVal { ip, _ := f.remote(); return woStr(ip) }},
	{"remote_port", woLong, func(f *woFacts) woVal { _, port := f.remote(); return woNum(port) }},
	{"response_code", woLong, (*woFacts).status},
	{"scheme", woString, func(f *woFacts) woVal {
		if f.last == nil {
			return woVal{}
		}
		return woURLPart(f.last.URL, "scheme", false)
	}},
	{"size_download", woOffset, func(f *woFacts) woVal { return woNum(f.sizeDownload()) }},
	{"size_header", woLong, func(f *woFacts) woVal { return woNum(f.sizeHeader) }},
	{"size_request", woLong, func(f *woFacts) woVal { return woNum(f.sizeRequest) }},
	{"size_upload", woOffset, func(f *woFacts) woVal { return woNum(f.sizeUpload()) }},
	{"speed_download", woOffset, func(f *woFacts) woVal { return woNum(woSpeed(f.sizeDownload(), f.total)) }},
	{"speed_upload", woOffset, func(f *woFacts) woVal { return woNum(woSpeed(f.sizeUpload(), f.total)) }},
	{"ssl_verify_result", woLong, func(f *woFacts) woVal { return woNum(woVerifyResult(f.tls, f.tlsErr)) }},
	{"time_appconnect", woTime, func(f *woFacts) woVal { return woDur(f.appconnect) }},
	{"time_connect", woTime, func(f *woFacts) woVal { return woDur(f.connect) }},
	{"time_namelookup", woTime, func(f *woFacts) woVal { return woDur(f.namelookup) }},
	{"time_posttransfer", woTime, func(f *woFacts) woVal { return woDur(f.posttransfer) }},
	{"time_pretransfer", woTime, func(f *woFacts) woVal { return woDur(f.pretransfer) }},
	{"time_queue", woTime, func(*woFacts) woVal { return woDur(0) }},
	{"time_redirect", woTime, func(f *woFacts) woVal { return woDur(f.redirect) }},
	{"time_starttransfer", woTime, func(f *woFacts) woVal { return woDur(f.starttransfer) }},
	{"time_total", woTime, func(f *woFacts) woVal { return woDur(f.total) }},
	{"tls_earlydata", woOffset, woZero},
	{"url", woString, func(f *woFacts) woVal { return woStrOrNull(f.showURL(f.r.URL)) }},
	{"url.fragment", woString, woURLVar("fragment")},
	{"url.host", woString, woURLVar("host")},
	{"url.options", woString, woNull},
	{"url.password", woString, woURLVar("password")},
	{"url.path", woString, woURLVar("path")},
	{"url.port", woString, woURLVar("port")},
	{"url.query", woString, woURLVar("query")},
	{"url.scheme", woString, woURLVar("scheme")},
	{"url.user", woString, woURLVar("user")},
	{"url.zoneid", woString, woURLVar("zoneid")},
	{"url_effective", woString, func(f *woFacts) woVal { return woStrOrNull(f.showURL(f.effectiveURL())) }},
	{"urle.fragment", woString, woURLEVar("fragment")},
	{"urle.host", woString, woURLEVar("host")},
	{"urle.options", woString, woNull},
	{"urle.password", woString, woURLEVar("password")},
	{"urle.path", woString, woURLEVar("path")},
	{"urle.port", woString, woURLEVar("port")},
	{"urle.query", woString, woURLEVar("query")},
	{"urle.scheme", woString, woURLEVar("scheme")},
	{"urle.user", woString, woURLEVar("user")},
	{"urle.zoneid", woString, woURLEVar("zoneid")},
	{"urlnum", woOffset, woZero},
	{"xfer_id", woOffset, woZero},
}

var woIndex = func() map[string]*woVar {
	m := make(map[string]*woVar, len(woVars))
	for i := range woVars {
		m[woVars[i].name] = &woVars[i]
	}
	return m
}()

// woFacts is what the variables are computed from, summed over the hops
// once per WriteOut call.
type woFacts struct {
	r    *trace.Result
	last *trace.Hop // nil when no request was made
	exit int
	opts WriteOutOptions

	tls    *trace.TLS   // the most recent handshake
	tlsErr *trace.Error // the error of its hop

	namelookup, connect, appconnect          time.Duration
	pretransfer, posttransfer, starttransfer time.Duration
	redirect, total                          time.Duration

	connects, redirects     int64
	sizeHeader, sizeRequest int64

	certsText, json, headers *string // computed once, on first use
	hdrIndex                 *woHeaders
}

func newWoFacts(r *trace.Result, exit int, opts WriteOutOptions) *woFacts {
	f := &woFacts{r: r, exit: exit, opts: opts}
	n := len(r.Hops)
	if n > 0 {
		f.last = &r.Hops[n-1]
	}
	for i := range r.Hops {
		h := &r.Hops[i]
		m := woMarksOf(h)
		f.namelookup += m.namelookup
		f.connect += m.connect
		f.appconnect += m.appconnect
		f.pretransfer += m.pretransfer
		f.posttransfer += m.posttransfer
		f.starttransfer += m.starttransfer
		total := max(h.Timings.Total, 0)
		f.total += total
		if i < n-1 {
			f.redirect += total
		}
		if h.TLS != nil {
			f.tls, f.tlsErr = h.TLS, h.Err
		}
		if h.Connect != nil && !h.Connect.Reused && h.Connect.Address != "" {
			f.connects++
		}
		if h.Redirect != nil && h.Redirect.Followed {
			f.redirects++
		}
		if h.Response != nil {
			f.sizeHeader += max(h.Response.HeadBytes, 0)
		}
		if h.Timings.Send != nil {
			f.sizeRequest += max(h.Request.HeadBytes, 0) + max(h.Request.BodyBytes, 0)
		}
	}
	return f
}

// woMarks are one hop's curl timers: each the time from the start of the
// hop to the moment the phase completed, 0 when it did not.
type woMarks struct {
	namelookup, connect, appconnect          time.Duration
	pretransfer, posttransfer, starttransfer time.Duration
}

func woMarksOf(h *trace.Hop) woMarks {
	var m woMarks
	t := &h.Timings
	done := func(s *trace.Span, phase string) time.Duration {
		if s == nil || h.Err != nil && h.Err.Phase == phase {
			return 0
		}
		return max(s.End(), 0)
	}
	m.namelookup = done(t.DNS, trace.PhaseDNS)
	m.connect = done(t.Connect, trace.PhaseConnect)
	m.appconnect = done(t.TLS, trace.PhaseTLS)
	switch {
	case t.Send != nil:
		m.pretransfer = max(t.Send.Start, 0)
		m.posttransfer = max(t.Send.End(), 0)
	case h.Err != nil && h.Err.Phase == trace.PhaseSend:
		// Writing failed: the connection was ready when the TLS or TCP
		// handshake ended (0 on a reused connection).
		m.pretransfer = max(m.connect, m.appconnect)
	}
	// curl's starttransfer is the first byte of any response, a 1xx too.
	if t.Wait != nil {
		m.starttransfer = max(t.Wait.End(), 0)
	}
	if len(h.Informational) > 0 {
		if at := max(h.Informational[0].At, 0); m.starttransfer == 0 || at < m.starttransfer {
			m.starttransfer = at
		}
	}
	return m
}

func (f *woFacts) failed() bool { return f.exit != 0 || f.r.Err != nil }

func (f *woFacts) effectiveURL() string {
	if f.last != nil && f.last.URL != "" {
		return f.last.URL
	}
	return f.r.URL
}

func (f *woFacts) status() woVal {
	if f.last == nil || f.last.Response == nil {
		return woNum(0)
	}
	return woNum(int64(f.last.Response.Status))
}

func (f *woFacts) sizeDownload() int64 {
	if f.last == nil || f.last.Response == nil {
		return 0
	}
	return max(f.last.Response.BodyBytes, 0)
}

func (f *woFacts) sizeUpload() int64 {
	if f.last == nil || f.last.Timings.Send == nil {
		return 0
	}
	return max(f.last.Request.BodyBytes, 0)
}

// remote is the address of the last hop's connection; "" when it did not
// connect (curl 7.88 shows nothing for a refused connection either).
func (f *woFacts) remote() (string, int64) {
	if f.last == nil || f.last.Connect == nil {
		return "", 0
	}
	return woSplitAddr(f.last.Connect.Address)
}

func (f *woFacts) local() (string, int64) {
	if f.last == nil || f.last.Connect == nil {
		return "", 0
	}
	return woSplitAddr(f.last.Connect.Local)
}

func woSplitAddr(addr string) (string, int64) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0
	}
	p, err := strconv.ParseInt(port, 10, 64)
	if err != nil {
		p = 0
	}
	return host, p
}

// curl_easy_strerror's text for the exit codes reqtrace uses, for
// %{errormsg} when no trace error carries a message.
var woStrerror = map[int]string{
	1:  "Unsupported protocol",
	2:  "Failed initialization",
	3:  "URL using bad/illegal format or missing URL",
	6:  "Could not resolve hostname",
	7:  "Could not connect to server",
	22: "HTTP response code said error",
	23: "Failed writing received data to disk/application",
	28: "Timeout was reached",
	35: "SSL connect error",
	47: "Number of redirects hit maximum amount",
	52: "Server returned nothing (no headers, no data)",
	55: "Failed sending data to the peer",
	56: "Failure when receiving data from the peer",
	60: "SSL peer certificate or SSH remote key was not OK",
}

func (f *woFacts) errormsg() woVal {
	if f.r.Err != nil && f.r.Err.Message != "" {
		return woStr(f.r.Err.Message)
	}
	if f.exit == 0 {
		return woVal{}
	}
	if f.exit == 22 && f.last != nil && f.last.Response != nil && f.last.Response.Status >= 400 {
		return woStr("The requested URL returned error: " + strconv.Itoa(f.last.Response.Status))
	}
	if msg, ok := woStrerror[f.exit]; ok {
		return woStr(msg)
	}
	return woStr("Unknown error")
}

// certs lays the chain out as curl's OpenSSL backend does, minus the PEM.
func (f *woFacts) certs() woVal {
	if f.certsText == nil {
		var b strings.Builder
		if f.tls != nil {
			for _, c := range f.tls.Certificates {
				line := func(k, v string) {
					if v != "" {
						b.WriteString(k + ":" + woSafe(v) + "\n")
					}
				}
				line("Subject", c.Subject)
				line("Issuer", c.Issuer)
				line("Serial Number", c.SerialNumber)
				line("Signature Algorithm", c.SignatureAlgorithm)
				line("Public Key Algorithm", c.PublicKey)
				sans := make([]string, 0, len(c.DNSNames)+len(c.IPAddresses))
				for _, n := range c.DNSNames {
					sans = append(sans, "DNS:"+n)
				}
				for _, ip := range c.IPAddresses {
					sans = append(sans, "IP Address:"+ip)
				}
				line("X509v3 Subject Alternative Name", strings.Join(sans, ", "))
				if c.IsCA {
					line("X509v3 Basic Constraints", "CA:TRUE")
				}
				if !c.NotBefore.IsZero() {
					line("Start date", c.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT"))
				}
				if !c.NotAfter.IsZero() {
					line("Expire date", c.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT"))
				}
			}
		}
		s := b.String()
		f.certsText = &s
	}
	return woVal{ok: true, s: *f.certsText, safe: true}
}

// text is a variable as %{name} prints it.
func (f *woFacts) text(v *woVar) string {
	val := v.get(f)
	if !val.ok {
		return ""
	}
	switch v.kind {
	case woTime:
		return woSeconds(val.d)
	case woLong:
		if v.name == "http_code" || v.name == "response_code" || v.name == "http_connect" {
			s := strconv.FormatInt(val.n, 10)
			if val.n >= 0 && len(s) < 3 {
				s = strings.Repeat("0", 3-len(s)) + s
			}
			return s
		}
		return strconv.FormatInt(val.n, 10)
	case woOffset:
		return strconv.FormatInt(val.n, 10)
	}
	if val.safe {
		return val.s
	}
	return woSafe(val.s)
}

// jsonObject is %{json}: every variable in curl's order, then curl_version.
func (f *woFacts) jsonObject() string {
	if f.json != nil {
		return *f.json
	}
	var b strings.Builder
	b.WriteByte('{')
	for i := range woVars {
		v := &woVars[i]
		woJSONString(&b, v.name, false)
		b.WriteByte(':')
		val := v.get(f)
		switch {
		case !val.ok:
			b.WriteString("null")
		case v.kind == woTime:
			b.WriteString(woSeconds(val.d))
		case v.kind == woString:
			woJSONString(&b, val.s, false)
		default:
			b.WriteString(strconv.FormatInt(val.n, 10))
		}
		b.WriteByte(',')
	}
	b.WriteString(`"curl_version":`)
	woJSONString(&b, "reqtrace/"+trace.Version, false)
	b.WriteByte('}')
	s := b.String()
	f.json = &s
	return s
}

// headerJSON is %{header_json}: the last response's headers grouped by
// name at the first occurrence, names in lower case, one name per line.
func (f *woFacts) headerJSON() string {
	if f.headers != nil {
		return *f.headers
	}
	var b strings.Builder
	b.WriteByte('{')
	if f.last != nil && f.last.Response != nil {
		hs := f.last.Response.Headers
		var order []string
		groups := map[string][]int{}
		for i, h := range hs {
			k := woLowerASCII(h.Name)
			if _, seen := groups[k]; !seen {
				order = append(order, k)
			}
			groups[k] = append(groups[k], i)
		}
		for n, k := range order {
			if n > 0 {
				b.WriteString(",\n")
			}
			idx := groups[k]
			woJSONString(&b, hs[idx[0]].Name, true)
			b.WriteString(":[")
			for j, i := range idx {
				if j > 0 {
					b.WriteByte(',')
				}
				woJSONString(&b, f.headerValue(hs[i]), false)
			}
			b.WriteByte(']')
			if b.Len() > WriteOutMax {
				break // the output budget cuts it anyway
			}
		}
	}
	b.WriteString("\n}")
	s := b.String()
	f.headers = &s
	return s
}

// --- secrets

// headerValue is a response header's value as -w shows it: trimmed, and
// with its secrets redacted unless ShowSecrets.
func (f *woFacts) headerValue(h trace.Header) string {
	v := woTrim(h.Value)
	if f.opts.ShowSecrets {
		return v
	}
	return RedactHeader(h.Name, v)
}

// showURL shows a URL with its password and any JWT signature redacted unless
// ShowSecrets.
func (f *woFacts) showURL(s string) string {
	if f.opts.ShowSecrets || s == "" {
		return s
	}
	return RedactURL(s)
}

// --- URL parts

// woURLPart is curl's url.* and urle.* variables: the part as stored in
// the URL (still percent-encoded), the scheme's default port when none is
// given, and no value (null) for a part the URL lacks.
func woURLPart(raw, part string, showSecrets bool) woVal {
	u, err := url.Parse(raw)
	if raw == "" || err != nil || u.Scheme == "" {
		return woVal{}
	}
	userinfo := ""
	if u.User != nil {
		userinfo = u.User.String() // encoded "user" or "user:password"
	}
	host := u.Hostname()
	zone := ""
	if strings.Contains(host, ":") { // IPv6: curl keeps the brackets, drops the zone
		host, zone, _ = strings.Cut(host, "%")
		host = "[" + host + "]"
	}
	switch part {
	case "scheme":
		return woStr(strings.ToLower(u.Scheme))
	case "user":
		if u.User == nil {
			return woVal{}
		}
		user, _, _ := strings.Cut(userinfo, ":")
		return woStr(user)
	case "password":
		_, pw, ok := strings.Cut(userinfo, ":")
		if !ok {
			return woVal{}
		}
		if !showSecrets {
			return woStr("xxxxx") // as url.URL.Redacted writes it
		}
		return woStr(pw)
	case "host":
		return woStrOrNull(host)
	case "port":
		if p := u.Port(); p != "" {
			return woStr(p)
		}
		switch strings.ToLower(u.Scheme) {
		case "http":
			return woStr("80")
		case "https":
			return woStr("443")
		}
		return woVal{}
	case "path":
		if p := u.EscapedPath(); p != "" {
			return woStr(p)
		}
		return woStr("/")
	case "query":
		return woStrOrNull(u.RawQuery)
	case "fragment":
		return woStrOrNull(u.EscapedFragment())
	case "zoneid":
		return woStrOrNull(zone)
	}
	return woVal{}
}

// --- TLS verification as OpenSSL numbers it

// OpenSSL's X509_V_ERR_* codes, the numbers curl's ssl_verify_result shows.
const (
	woX509Unspecified        = 1
	woX509NotYetValid        = 9
	woX509Expired            = 10
	woX509SelfSignedLeaf     = 18
	woX509SelfSignedInChain  = 19
	woX509UnknownIssuer      = 20
	woX509PathLength         = 25
	woX509InvalidCA          = 24
	woX509InvalidPurpose     = 26
	woX509PermittedViolation = 47
	woX509HostnameMismatch   = 62
)

func woVerifyResult(t *trace.TLS, hopErr *trace.Error) int64 {
	if t == nil {
		return 0
	}
	msg := t.VerifyError
	if msg == "" {
		if t.Verified || hopErr == nil || hopErr.Phase != trace.PhaseTLS {
			return 0
		}
		switch hopErr.Kind {
		case trace.KindExpired:
			return woX509Expired
		case trace.KindUnknownAuthority:
			return woUnknownIssuer(t.Certificates)
		case trace.KindHostnameMismatch:
			return woX509HostnameMismatch
		}
		return 0 // the handshake failed before the chain was checked
	}
	switch {
	case strings.Contains(msg, "expired or is not yet valid"):
		if strings.Contains(msg, " is before ") {
			return woX509NotYetValid
		}
		return woX509Expired
	case strings.Contains(msg, "unknown authority"):
		return woUnknownIssuer(t.Certificates)
	case strings.Contains(msg, "certificate is valid for"),
		strings.Contains(msg, "not valid for any names"),
		strings.Contains(msg, "doesn't contain any IP SANs"),
		strings.Contains(msg, "legacy Common Name"):
		return woX509HostnameMismatch
	case strings.Contains(msg, "for this name"), strings.Contains(msg, "name constraints"):
		return woX509PermittedViolation
	case strings.Contains(msg, "not authorized to sign other certificates"):
		return woX509InvalidCA
	case strings.Contains(msg, "incompatible key usage"), strings.Contains(msg, "extended key usage"):
		return woX509InvalidPurpose
	case strings.Contains(msg, "too many intermediates"):
		return woX509PathLength
	}
	return woX509Unspecified
}

func woUnknownIssuer(chain []trace.Certificate) int64 {
	switch n := len(chain); {
	case n == 1 && chain[0].Subject != "" && chain[0].Subject == chain[0].Issuer:
		return woX509SelfSignedLeaf
	case n > 1 && chain[n-1].Subject != "" && chain[n-1].Subject == chain[n-1].Issuer:
		return woX509SelfSignedInChain
	}
	return woX509UnknownIssuer
}

// --- formatting

// woSeconds prints d as curl prints times: whole seconds, a dot and six
// digits of microseconds (rounded to the nearest).
func woSeconds(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	us := int64((d + 500*time.Nanosecond) / time.Microsecond)
	frac := strconv.FormatInt(us%1e6, 10)
	return strconv.FormatInt(us/1e6, 10) + "." + strings.Repeat("0", 6-len(frac)) + frac
}

// woSpeed is curl's trspeed: integer bytes per second over the time spent.
func woSpeed(size int64, spent time.Duration) int64 {
	const micro = int64(time.Second / time.Microsecond)
	us := int64((spent + 500*time.Nanosecond) / time.Microsecond)
	switch {
	case us < 1:
		if size > math.MaxInt64/micro {
			return math.MaxInt64
		}
		return size * micro
	case size < math.MaxInt64/micro:
		return size * micro / us
	case us >= micro:
		return size / (us / micro)
	}
	return math.MaxInt64
}

// woTrim trims what curl trims around a header value.
func woTrim(s string) string { return strings.Trim(s, " \t") }

// woSafe is Safe without the length cut (scripts read whole values; the
// output budget bounds them) and with tabs kept: control characters, C1,
// bidi overrides and bytes that are not UTF-8 become visible escapes.
func woSafe(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	escapeInto(&b, s, '\t')
	return b.String()
}

// woJSONString writes s as a JSON string the way curl's jsonquoted does
// (lower-casing ASCII letters for header names), and also escapes what a
// terminal would act on (DEL, C1, bidi overrides, line separators) and
// turns bytes that are not UTF-8 into U+FFFD, so the document always
// parses and is safe to print.
func woJSONString(b *strings.Builder, s string, lower bool) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '\\':
				b.WriteString(`\\`)
			case '"':
				b.WriteString(`\"`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			default:
				switch {
				case c < 0x20 || c == 0x7f:
					writeEscape(b, `\u`, rune(c), 4)
				case lower && 'A' <= c && c <= 'Z':
					b.WriteByte(c | 0x20)
				default:
					b.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\ufffd`)
		case unsafeRune(r):
			writeEscape(b, `\u`, r, 4)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	b.WriteByte('"')
}

// --- %time{}

// woStrftime is C strftime in the C locale for t in UTC, with curl's %f
// (microseconds), %z (+0000) and %Z (UTC). Like curl it gives nothing when
// the result would not fit in 255 bytes. Unknown conversions stay as
// written.
func woStrftime(format string, t time.Time) string {
	const limit = 255
	t = t.UTC()
	var b strings.Builder
	pad := func(n, width int, fill byte) {
		s := strconv.Itoa(n)
		for k := len(s); k < width; k++ {
			b.WriteByte(fill)
		}
		b.WriteString(s)
	}
	hour12 := func() int {
		if h := t.Hour() % 12; h != 0 {
			return h
		}
		return 12
	}
	isoYear, isoWeek := t.ISOWeek()
	for i := 0; i < len(format); i++ {
		if b.Len() > limit {
			return ""
		}
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		switch format[i] {
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'c':
			b.WriteString(t.Format("Mon Jan _2 15:04:05 2006"))
		case 'C':
			pad(t.Year()/100, 2, '0')
		case 'd':
			pad(t.Day(), 2, '0')
		case 'D', 'x':
			b.WriteString(t.Format("01/02/06"))
		case 'e':
			pad(t.Day(), 2, ' ')
		case 'f':
			pad(t.Nanosecond()/1000, 6, '0')
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'g':
			pad(isoYear%100, 2, '0')
		case 'G':
			b.WriteString(strconv.Itoa(isoYear))
		case 'H':
			pad(t.Hour(), 2, '0')
		case 'I':
			pad(hour12(), 2, '0')
		case 'j':
			pad(t.YearDay(), 3, '0')
		case 'k':
			pad(t.Hour(), 2, ' ')
		case 'l':
			pad(hour12(), 2, ' ')
		case 'm':
			pad(int(t.Month()), 2, '0')
		case 'M':
			pad(t.Minute(), 2, '0')
		case 'n':
			b.WriteByte('\n')
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'P':
			b.WriteString(t.Format("pm"))
		case 'r':
			b.WriteString(t.Format("03:04:05 PM"))
		case 'R':
			b.WriteString(t.Format("15:04"))
		case 's':
			b.WriteString(strconv.FormatInt(t.Unix(), 10))
		case 'S':
			pad(t.Second(), 2, '0')
		case 't':
			b.WriteByte('\t')
		case 'T', 'X':
			b.WriteString(t.Format("15:04:05"))
		case 'u':
			pad((int(t.Weekday())+6)%7+1, 1, '0')
		case 'U':
			pad((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
		case 'V':
			pad(isoWeek, 2, '0')
		case 'w':
			pad(int(t.Weekday()), 1, '0')
		case 'W':
			pad((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
		case 'y':
			pad(t.Year()%100, 2, '0')
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'z':
			b.WriteString("+0000")
		case 'Z':
			b.WriteString("UTC")
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	if b.Len() > limit {
		return ""
	}
	return b.String()
}
