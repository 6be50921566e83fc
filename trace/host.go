package trace

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// A URL's host goes on the wire (DNS question, SNI, Host header) in the
// form curl and browsers send: a numeric IPv4 host in any of the forms the
// WHATWG URL Standard accepts ("127.1", "2130706433", "0x7f.1",
// "0177.0.0.1") as the dotted-quad address, and an internationalized name
// as its A-labels ("bücher.example" → "xn--bcher-kva.example"), converted
// with UTS #46's lookup profile (nontransitional, as libidn2 in curl and
// browsers do). Raw UTF-8 never reaches a DNS question.

// normalizeHost rewrites u.Host into its wire form, or says why it has none.
func normalizeHost(u *url.URL) error {
	host := u.Hostname()
	if host == "" || strings.HasPrefix(u.Host, "[") { // an IPv6 literal stays as it is
		return nil
	}
	wire, err := wireHost(host)
	if err != nil {
		return err
	}
	if wire != host {
		port := "" // ":PORT", or ":" alone, or none
		if i := strings.LastIndexByte(u.Host, ':'); i >= 0 {
			port = u.Host[i:]
		}
		u.Host = wire + port
	}
	return nil
}

// wireHost is host's wire form (see normalizeHost). As in the WHATWG URL
// Standard, the IDNA step comes first, so full-width digits make an IPv4
// address too.
func wireHost(host string) (string, error) {
	ascii := host // as curl: ASCII names go as typed (underscores and all)
	if !isASCII(host) {
		a, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return "", fmt.Errorf("the host %q is not a valid internationalized domain name (%s): check it, or give its A-label (xn--…) form", host, idnaReason(err))
		}
		ascii = a
	}
	if ip, isIPv4, err := parseIPv4Host(ascii); isIPv4 {
		if err != nil {
			return "", fmt.Errorf("the host %q looks like an IPv4 address but is not one (%v): give four numbers from 0 to 255, such as 127.0.0.1", host, err)
		}
		return ip.String(), nil
	}
	return ascii, nil
}

// idnaReason shortens x/net/idna's messages ("idna: disallowed rune U+2028").
func idnaReason(err error) string {
	return strings.TrimPrefix(err.Error(), "idna: ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// UnicodeHost is host's Unicode form when host holds A-labels ("xn--…")
// that decode, for showing next to the form sent; "" otherwise.
func UnicodeHost(host string) string {
	if !strings.Contains(strings.ToLower(host), "xn--") {
		return ""
	}
	u, err := idna.Lookup.ToUnicode(host)
	if err != nil || u == host {
		return ""
	}
	return u
}

// maxIPv4Part caps a part's length: no valid IPv4 number is longer (a
// 32-bit number in octal with its leading 0 is 12 digits).
const maxIPv4Part = 64

// parseIPv4Host is the WHATWG URL Standard's IPv4 parser: isIPv4 tells
// whether host "ends in a number" (and so must be an IPv4 address); err
// says why it is not a valid one. Parts are decimal, octal with a leading
// 0, or hex with 0x; the last part fills the remaining bytes.
func parseIPv4Host(host string) (ip netip.Addr, isIPv4 bool, err error) {
	parts := strings.Split(host, ".")
	if len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1] // one trailing dot is allowed
	}
	if !endsInNumber(parts) {
		return netip.Addr{}, false, nil
	}
	if len(parts) > 4 {
		return netip.Addr{}, true, fmt.Errorf("%d parts, at most 4", len(parts))
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return netip.Addr{}, true, fmt.Errorf("%q is not a number", p)
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, true, fmt.Errorf("%d is over 255", n)
		}
	}
	last := nums[len(nums)-1]
	if limit := uint64(1) << (8 * (5 - len(nums))); last >= limit {
		return netip.Addr{}, true, fmt.Errorf("%d is over %d", last, limit-1)
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true, nil
}

// endsInNumber is the standard's test: the last part is all digits, or
// parses as an IPv4 number (hex with 0x).
func endsInNumber(parts []string) bool {
	last := parts[len(parts)-1]
	if last == "" {
		return false
	}
	if strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// ipv4Number parses one part: "0x1f" hex, "017" octal, "17" decimal.
func ipv4Number(s string) (uint64, bool) {
	if s == "" || len(s) > maxIPv4Part {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true // "0x" alone is 0
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s[0] == '+' || s[0] == '-' {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		// Digits that overflow 64 bits are still a number, just too big.
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 1<<64 - 1, true
		}
		return 0, false
	}
	return n, true
}
