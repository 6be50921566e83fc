package cors

import (
	"context"
	"net"
	"net/netip"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// Address spaces of Local Network Access (Chromium 142+, which replaced
// Private Network Access), from most public to most private.
const (
	SpacePublic   = "public"
	SpaceLocal    = "local"
	SpaceLoopback = "loopback"
)

func spaceRank(s string) int {
	switch s {
	case SpaceLoopback:
		return 2
	case SpaceLocal:
		return 1
	}
	return 0
}

var localPrefixes = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("169.254.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
	netip.MustParsePrefix("fe80::/10"),
}

// spaceOf is the address space of an IP address.
func spaceOf(ip netip.Addr) string {
	ip = ip.Unmap()
	if ip.IsLoopback() || ip.IsUnspecified() {
		return SpaceLoopback
	}
	for _, p := range localPrefixes {
		if p.Contains(ip) {
			return SpaceLocal
		}
	}
	return SpacePublic
}

// targetSpace is the space of the address a hop connected to, or "".
func targetSpace(h *trace.Hop) string {
	if h == nil || h.Connect == nil {
		return ""
	}
	ap, err := netip.ParseAddrPort(h.Connect.Address)
	if err != nil {
		return ""
	}
	return spaceOf(ap.Addr())
}

// originSpace finds where the page is served from: cfg's override, the
// host itself (an IP, localhost), a --resolve entry, or a DNS lookup
// (with --dns-servers when given). "" when it cannot tell.
func originSpace(ctx context.Context, cfg *Config, o Origin) string {
	switch {
	case cfg.OriginSpace != "":
		return cfg.OriginSpace
	case o.Opaque:
		return ""
	case isLoopbackName(o.Host):
		return SpaceLoopback
	}
	if s := knownSpace(cfg, o); s != "" {
		return s
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := resolver(cfg.Net.DNSServers).LookupNetIP(ctx, "ip", o.Host)
	if err != nil || len(ips) == 0 {
		return ""
	}
	return spaceOf(ips[0])
}

// knownSpace is the space of o's host when it is known without a DNS
// query: a loopback name, an IP literal, or a --resolve entry; "" else.
func knownSpace(cfg *Config, o Origin) string {
	if o.Opaque {
		return ""
	}
	if isLoopbackName(o.Host) {
		return SpaceLoopback
	}
	if ip, err := netip.ParseAddr(o.Host); err == nil {
		return spaceOf(ip)
	}
	for _, e := range cfg.Net.Resolve {
		if (e.Host == o.Host || e.Host == "*") && e.Port == o.Port && len(e.Addrs) > 0 {
			return spaceOf(e.Addrs[0])
		}
	}
	return ""
}

// resolver asks the --dns-servers when given, else the system's.
func resolver(servers []string) *net.Resolver {
	if len(servers) == 0 {
		return net.DefaultResolver
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, servers[0])
	}}
}

// lnaFindings applies Chromium's Local Network Access rules: a request
// from a less private space needs a secure page and the user's
// permission; from an insecure page it is blocked before anything is
// sent.
func (r *Request) lnaFindings(from, to string) (block *Problem, warn *Problem) {
	if to == "" || to == SpacePublic {
		return nil, nil
	}
	if from == "" {
		return nil, &Problem{Rule: "local-network-access",
			Message: "the target is a " + to + " address and reqtrace could not tell where the page is served from: if it is a public site, Chromium blocks the request from an http:// page and asks the user's permission from an https:// page (Local Network Access)",
			Fix:     "serve the page over HTTPS, or keep page and API in the same address space"}
	}
	if spaceRank(from) >= spaceRank(to) {
		return nil, nil
	}
	if !trustworthy(r.Origin) {
		p := r.problem("request", kindLNAInsecure, to, nil, Decision{})
		p.Rule = "local-network-access"
		return &p, nil
	}
	return nil, &Problem{Rule: "local-network-access",
		Message: "the page is in the " + from + " address space and the target in the " + to + " one: Chromium (142+) asks the user for Local Network Access permission; if it is refused the console says \"Permission was denied for this request to access the `" + to + "` address space.\" Chromium 156 sends no Access-Control-Request-Private-Network header and needs no Access-Control-Allow-Private-Network",
		Fix:     "expect a permission prompt; for a public site, prefer serving the API from a public address"}
}
