// Package writeout is curl's -w/--write-out: its variables, its output
// directives and its JSON, computed from a trace Result.
package writeout

import (
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Max caps the bytes one Write call writes, to stdout, stderr and
// %output{} files together. A format that asks for more (a huge @file, a
// thousand %{json}) is cut there, and one line on stderr says so.
const Max = 1 << 20

// Options tunes Write. The zero value is the safe default.
type Options struct {
	// ShowSecrets prints Authorization, Proxy-Authorization, Cookie and
	// Set-Cookie values, URL passwords and JWT signatures as received;
	// without it they read "[redacted]" (URL passwords "xxxxx").
	ShowSecrets bool
	// Now is the clock for %time{}; nil means time.Now.
	Now func() time.Time
	// Output opens the file of %output{name} (appendTo for %output{>>name}).
	// nil turns %output{} off: the output stays where it was, as curl does
	// when the file cannot be created, and stderr says why. cmd passes
	// OpenFile.
	Output func(name string, appendTo bool) (io.WriteCloser, error)
	// Filename is the -o (or -O) file as given: curl's filename_effective
	// names it whether or not a body was written to it.
	Filename string
}

// OpenFile opens name for %output{}: created with mode 0600 as in
// curl, truncated, or appended to with appendTo.
func OpenFile(name string, appendTo bool) (io.WriteCloser, error) {
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
//     Options.Output; %{stdout} and %{stderr} switch back.
//   - %{onerror} ends the output there unless the run failed (exit != 0,
//     or r.Err is set).
//   - A % or \ that starts nothing above is printed as it stands.
//   - Everything written, to all destinations together, stops at
//     Max (1 MiB); stderr then says the output was cut.
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
//     time_connect, as in curl. Over HTTP/3 with 0-RTT the request goes
//     before the QUIC handshake completes: time_pretransfer (and maybe
//     time_posttransfer) is then less than time_connect and
//     time_appconnect, which still end with the handshake (the one clock
//     is kept rather than reordered); none is negative. A phase
//     that failed adds 0 too, and so do
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
//     the last response, num_retries the attempts --retry repeated (curl
//     8.9's variable), http_connect the status of the last CONNECT answer
//     a proxy gave (000 for none, and through SOCKS5), proxy_used 1 when
//     the last hop went through a proxy. urlnum, xfer_id and tls_earlydata
//     are 0, and ftp_entry_path and url.options null: reqtrace makes one
//     transfer, without FTP or IMAP. proxy_ssl_verify_result is 0: an
//     https:// proxy's certificate is checked, and a failure ends the
//     trace, but its handshake is not recorded. conn_id is the last hop's
//     connection number counted from 0 (curl's), -1 when none.
//   - ssl_verify_result is 0 when the chain verified (or no TLS), else the
//     OpenSSL X509_V_ERR code for the engine's TLS.Verify reason: 9 not yet
//     valid, 10 expired, 18 self-signed leaf, 19 self-signed root in the
//     chain, 20 unknown issuer or missing intermediate, 24 not a CA, 25 path
//     length exceeded, 26 wrong key usage, 47 name constraints, 1 otherwise.
//     A host name mismatch is 1, as in curl, which checks the name itself
//     after OpenSSL's check and leaves the number it started from. With -k
//     curl loads no CA store, so any chain is 18, 19 or 20 by its shape; so
//     is reqtrace's (TLS.Verify still says what a verified run would find).
//   - certs prints each certificate of the most recent handshake as curl's
//     OpenSSL backend lays it out (Subject:, Issuer:, Serial Number:, ...,
//     Start date:, Expire date:), but without the PEM: reqtrace does not
//     keep the raw certificates. num_certs counts them. Both are empty when
//     the handshake failed (curl collects them once it succeeded; with -k
//     a bad certificate does not fail it).
//   - errormsg is the message of the error that ended the trace; without
//     one but with exit 22 (--fail) it is curl's "The requested URL
//     returned error: N".
//   - filename_effective is the -o file, as curl prints it even when the
//     transfer failed before a body arrived; url and the
//     url.* parts are the URL as given, url_effective and urle.* the last
//     hop's; scheme is upper case, as the reference curl 7.88 prints it
//     (curl 8.8 and later print it in lower case).
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
// Secrets are redacted unless ShowSecrets (see Options).
func Write(stdout, stderr io.Writer, format string, r *trace.Result, exit int, opts Options) error {
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
// stops for good at Max bytes.
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
	return &woOut{stdout: stdout, stderr: stderr, cur: stdout, left: Max}
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
		_, _ = io.WriteString(o.stderr, "reqtrace: --write-out output cut at "+strconv.Itoa(Max>>20)+" MiB\n")
	}
	return o.err
}
