package cors

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"

	"github.com/reqtrace/reqtrace/trace"
)

// The URL standard's basic URL parser, as far as fetch needs it: fetch()
// parses its URL argument with it, and a redirect's Location against the
// response's URL. It differs from net/url where browsers do: tabs and
// newlines vanish, a backslash is a slash in http(s) URLs, "http:host" and
// "http:///host" name a host, dot segments are resolved, spaces and
// non-ASCII bytes are percent-encoded, hosts are lower-cased and IDNA'd,
// IPv4 numbers such as 0x7f.1 are normalised, and the default port is
// dropped. Schemes other than the special ones are kept opaque: only the
// scheme matters to fetch there.

// errWebURL is a URL the standard's parser fails on.
var errWebURL = errors.New("not a valid URL")

// specialPorts are the special schemes and their default ports (file has
// none).
var specialPorts = map[string]string{"ftp": "21", "http": "80", "https": "443", "ws": "80", "wss": "443", "file": ""}

// parseWebURL parses input against base (nil: input must be absolute).
func parseWebURL(input string, base *url.URL) (*url.URL, error) {
	s := strings.TrimFunc(input, func(r rune) bool { return r <= ' ' })
	s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	scheme, rest, hasScheme := cutScheme(s)
	if !hasScheme {
		if base == nil {
			return nil, errWebURL
		}
		return relativeWebURL(base, s)
	}
	if _, special := specialPorts[scheme]; !special {
		return &url.URL{Scheme: scheme, Opaque: rest}, nil
	}
	rest = backslashes(rest)
	if base != nil && base.Scheme == scheme && !strings.HasPrefix(rest, "//") {
		return relativeWebURL(base, rest) // "http:foo" is relative to an http: base
	}
	return authorityWebURL(scheme, strings.TrimLeft(rest, "/"))
}

// cutScheme splits "scheme:rest"; the scheme is lower-cased.
func cutScheme(s string) (scheme, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return strings.ToLower(s[:i]), s[i+1:], true
		default:
			return "", s, false
		}
	}
	return "", s, false
}

// backslashes turns "\" into "/" before the query and fragment, as the
// parser does for special schemes.
func backslashes(s string) string {
	end := strings.IndexAny(s, "?#")
	if end < 0 {
		end = len(s)
	}
	return strings.ReplaceAll(s[:end], `\`, "/") + s[end:]
}

// relativeWebURL resolves a reference without a scheme against base.
func relativeWebURL(base *url.URL, ref string) (*url.URL, error) {
	ref = backslashes(ref)
	if strings.HasPrefix(ref, "//") {
		return authorityWebURL(base.Scheme, ref[2:])
	}
	path, query, fragment := splitRef(ref)
	var bq *string // the base's query, nil when it has none
	if base.RawQuery != "" || base.ForceQuery {
		bq = &base.RawQuery
	}
	switch {
	case ref == "":
		path, query = base.EscapedPath(), bq
	case strings.HasPrefix(ref, "?"):
		path = base.EscapedPath()
	case strings.HasPrefix(ref, "#"):
		path, query = base.EscapedPath(), bq
	case !strings.HasPrefix(path, "/"):
		bp := base.EscapedPath()
		path = bp[:strings.LastIndex(bp, "/")+1] + path
	}
	return assemble(base.Scheme, base.User, base.Host, path, query, fragment)
}

// splitRef cuts path?query#fragment; query and fragment are nil when
// absent.
func splitRef(ref string) (path string, query, fragment *string) {
	if i := strings.IndexByte(ref, '#'); i >= 0 {
		f := ref[i+1:]
		fragment, ref = &f, ref[:i]
	}
	if i := strings.IndexByte(ref, '?'); i >= 0 {
		q := ref[i+1:]
		query, ref = &q, ref[:i]
	}
	return ref, query, fragment
}

// authorityWebURL parses "userinfo@host:port/path?query#fragment".
func authorityWebURL(scheme, s string) (*url.URL, error) {
	end := strings.IndexAny(s, "/?#")
	if end < 0 {
		end = len(s)
	}
	auth, ref := s[:end], s[end:]
	var user *url.Userinfo
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		name, pass, hasPass := strings.Cut(auth[:at], ":")
		name, pass = encodeSet(name, userinfoSet), encodeSet(pass, userinfoSet)
		if hasPass {
			user = url.UserPassword(mustUnescape(name), mustUnescape(pass))
		} else {
			user = url.User(mustUnescape(name))
		}
		auth = auth[at+1:]
	}
	host, port, err := hostPort(scheme, auth)
	if err != nil {
		return nil, err
	}
	if port != "" {
		host += ":" + port
	}
	path, query, fragment := splitRef(ref)
	if path == "" {
		path = "/"
	}
	return assemble(scheme, user, host, path, query, fragment)
}

// hostPort parses and normalises the host and port of an authority.
func hostPort(scheme, auth string) (host, port string, err error) {
	host = auth
	if i := strings.LastIndexByte(auth, ':'); i >= 0 && !strings.Contains(auth[i:], "]") {
		host, port = auth[:i], auth[i+1:]
		for _, c := range []byte(port) {
			if c < '0' || c > '9' {
				return "", "", errWebURL
			}
		}
		if port != "" {
			n, err := strconv.Atoi(port)
			if err != nil || n > 65535 {
				return "", "", errWebURL
			}
			port = strconv.Itoa(n)
		}
		if port == specialPorts[scheme] {
			port = ""
		}
	}
	host, err = webHost(host)
	return host, port, err
}

// webHost is the host parser: IPv6 in brackets, else a domain that is
// percent-decoded, IDNA-mapped, checked for forbidden code points, and
// read as an IPv4 address when its last label is a number.
func webHost(h string) (string, error) {
	if strings.HasPrefix(h, "[") {
		a, err := netip.ParseAddr(strings.TrimSuffix(h[1:], "]"))
		if err != nil || !strings.HasSuffix(h, "]") || !a.Is6() || a.Zone() != "" {
			return "", errWebURL
		}
		return "[" + a.String() + "]", nil
	}
	d, err := url.PathUnescape(h)
	if err != nil || d == "" {
		return "", errWebURL
	}
	ascii, err := idna.Lookup.ToASCII(d)
	if err != nil {
		ascii = strings.ToLower(d) // UTS 46 with the standard's lenient flags
	}
	if ascii == "" || strings.ContainsFunc(ascii, forbiddenDomainRune) {
		return "", errWebURL
	}
	if v4, isNum, ok := webIPv4(ascii); isNum {
		if !ok {
			return "", errWebURL
		}
		return v4, nil
	}
	return ascii, nil
}

func forbiddenDomainRune(r rune) bool {
	return r <= ' ' || r == 0x7f || strings.ContainsRune("#%/:<>?@[\\]^|", r)
}

// webIPv4 reads the IPv4 forms the standard accepts ("127.1", "0x7f.0.0.1",
// "017700000001"); isNum says the last label is a number, so the host must
// be an address.
func webIPv4(h string) (addr string, isNum, ok bool) {
	parts := strings.Split(strings.TrimSuffix(h, "."), ".")
	if _, err := ipv4Number(parts[len(parts)-1]); err != nil {
		return "", false, false
	}
	if len(parts) > 4 {
		return "", true, false
	}
	var nums []uint64
	for _, p := range parts {
		n, err := ipv4Number(p)
		if err != nil {
			return "", true, false
		}
		nums = append(nums, n)
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return "", true, false
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return "", true, false
		}
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String(), true, true
}

func ipv4Number(s string) (uint64, error) {
	base := 10
	switch {
	case s == "":
		return 0, errWebURL
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, nil
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	return strconv.ParseUint(s, base, 32)
}

// Percent-encode sets of the standard, beyond C0 controls and non-ASCII.
const (
	fragmentSet = " \"<>`"
	querySet    = " \"#<>'" // the special-query set
	pathSet     = " \"#<>?`{}"
	userinfoSet = " \"#<>?`{}/:;=@[\\]^|"
)

// encodeSet percent-encodes the bytes of s in set, C0 controls, DEL and
// non-ASCII bytes; existing escapes stay as they are.
func encodeSet(s, set string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || strings.IndexByte(set, c) >= 0 {
			b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(c)|0x100, 16)[1:]))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func mustUnescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// assemble builds the URL from its parts: the path's dot segments
// resolved, every part percent-encoded as the standard does.
func assemble(scheme string, user *url.Userinfo, host, path string, query, fragment *string) (*url.URL, error) {
	var b strings.Builder
	b.WriteString(scheme + "://")
	if user != nil {
		b.WriteString(user.String() + "@")
	}
	b.WriteString(host + dotSegments(encodeSet(path, pathSet)))
	if query != nil {
		b.WriteString("?" + encodeSet(*query, querySet))
	}
	if fragment != nil {
		b.WriteString("#" + encodeSet(*fragment, fragmentSet))
	}
	u, err := url.Parse(b.String())
	if err != nil {
		return nil, errWebURL
	}
	return u, nil
}

// dotSegments removes "." and ".." segments (also as %2e) from an
// absolute path.
func dotSegments(path string) string {
	segs := strings.Split(path, "/")[1:]
	out := []string{}
	for i, seg := range segs {
		last := i == len(segs)-1
		switch strings.ToLower(seg) {
		case ".", "%2e":
			if last {
				out = append(out, "")
			}
		case "..", ".%2e", "%2e.", "%2e%2e":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
			if last {
				out = append(out, "")
			}
		default:
			out = append(out, seg)
		}
	}
	return "/" + strings.Join(out, "/")
}

// ParseFetchURL parses the URL argument as fetch() would: the URL
// standard's parser, so "?acah=X-Foo, X-Bar" is legal and comes out as
// the browser sends it ("?acah=X-Foo,%20X-Bar"). As with curl, a URL
// without "://" gets http://. Only http and https are fetched.
func ParseFetchURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, trace.BadInput("the URL is empty: give one such as https://example.com/")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := parseWebURL(s, nil)
	switch {
	case err != nil:
		return nil, trace.BadInput("the URL %q does not parse as fetch() parses it: fetch() throws a TypeError; check the host and the port", raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, trace.BadInput("the URL scheme %q is not fetched across origins: use http:// or https://", u.Scheme)
	}
	u.Fragment, u.RawFragment = "", "" // never sent
	return u, nil
}

// ParseFetchHeader parses one -H "Name: value" as script would set it:
// the value is normalised as fetch() does; "Name;" sets it empty.
func ParseFetchHeader(s string) (trace.HeaderEdit, error) {
	name, value, ok := strings.Cut(s, ":")
	if !ok {
		if n, semi := strings.CutSuffix(s, ";"); semi {
			name, ok = n, true
		}
	}
	if !ok || !isToken(name) {
		return trace.HeaderEdit{}, trace.BadInput("bad header %q: write it as -H \"Name: value\" (the name is letters, digits and !#$%%&'*+-.^_`|~)", s)
	}
	value = strings.Trim(value, " \t\r\n")
	if err := checkHeaderValue(name, value); err != nil {
		return trace.HeaderEdit{}, err
	}
	return trace.HeaderEdit{Name: name, Value: value}, nil
}
