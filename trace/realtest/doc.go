// Package realtest is reqtrace's differential suite against real servers.
//
// Its tests start Debian's bind9, nginx, apache2, haproxy, caddy, python3's
// http.server and microsocks on 127.0.0.1 ephemeral ports, with
// certificates written by the openssl CLI, and run the reqtrace binary and
// the tool users trust (curl, dig, openssl s_client) on the same request.
// Every fact compared is either equal or named in the allow-list of
// deliberate differences (allowlist_test.go), each documented in README.md
// under "Deliberate differences from curl, dig and openssl".
//
// The package has no code outside its tests; this file holds the doc.
package realtest
