package trace

import (
	"bufio"
	"cmp"
	"context"
	"io"
	"net/netip"
	"os"
	"strings"
)

const maxHostsFile = 1 << 20

// lookupHostsFile returns host's addresses from a hosts(5) file, in file
// order, as the system resolver consults it before DNS.
func lookupHostsFile(path, host string) []netip.Addr {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	return parseHosts(io.LimitReader(f, maxHostsFile), host)
}

func parseHosts(r io.Reader, host string) []netip.Addr {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	var addrs []netip.Addr
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		ip, err := netip.ParseAddr(fields[0])
		if err != nil || ip.Zone() != "" {
			continue
		}
		for _, name := range fields[1:] {
			if strings.EqualFold(strings.TrimSuffix(name, "."), host) {
				addrs = append(addrs, ip.Unmap())
				break
			}
		}
	}
	return addrs
}

// resolveHost finds the addresses for the URL's host: an IP literal as it
// is, then --resolve, then the hosts file, then DNS. Only DNS is a phase
// worth timing; the others are recorded with their source.
//
// httpsPort, when not 0, asks DNS for the host's HTTPS record for that
// port too (an https:// origin dialled directly).
func resolveHost(ctx context.Context, o *Options, c *clock, host string, port, httpsPort int) (*DNS, []netip.Addr, *Error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return nil, []netip.Addr{ip.Unmap()}, nil
	}
	// ParseURL has done this for the URL; hosts from elsewhere (a proxy,
	// --connect-to) get the same wire form, so no UTF-8 reaches DNS.
	wire, werr := wireHost(host)
	if werr != nil {
		return nil, nil, &Error{Phase: PhaseInput, Kind: KindBadInput, Message: werr.Error()}
	}
	if ip, err := netip.ParseAddr(wire); err == nil {
		return nil, []netip.Addr{ip.Unmap()}, nil
	}
	host = wire
	d, addrs, err := lookupHost(ctx, o, c, host, port, httpsPort)
	if d != nil {
		d.HostUnicode = UnicodeHost(host)
	}
	return d, addrs, err
}

// lookupHost finds the addresses of a host name (see resolveHost).
func lookupHost(ctx context.Context, o *Options, c *clock, host string, port, httpsPort int) (*DNS, []netip.Addr, *Error) {
	lower := strings.ToLower(strings.TrimSuffix(host, "."))
	for _, e := range o.Resolve {
		if (e.Host == lower || e.Host == "*") && e.Port == port {
			return &DNS{Host: host, Source: SourceResolve, Addresses: addrStrings(e.Addrs)}, e.Addrs, nil
		}
	}
	start := c.since()
	if addrs := filterFamily(lookupHostsFile(cmp.Or(o.HostsFile, defaultHostsFile), host), o.IPVersion); len(addrs) > 0 {
		d := &DNS{Host: host, Source: SourceHosts, Addresses: addrStrings(addrs), Duration: c.since() - start}
		return d, addrs, nil
	}
	r, err := newResolver(o, c)
	if err != nil {
		return &DNS{Host: host, Source: SourceDNS}, nil, err
	}
	d := &DNS{Host: host, Source: SourceDNS}
	r.httpsPort = httpsPort
	addrs, err := r.lookup(ctx, host, d)
	addrs = filterFamily(addrs, o.IPVersion)
	d.Duration = c.since() - start
	d.Addresses = addrStrings(addrs)
	return d, addrs, err
}

func filterFamily(addrs []netip.Addr, family int) []netip.Addr {
	if family == 0 {
		return addrs
	}
	var out []netip.Addr
	for _, a := range addrs {
		if (family == 4) == a.Is4() {
			out = append(out, a)
		}
	}
	return out
}

func addrStrings(addrs []netip.Addr) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.String()
	}
	return out
}
