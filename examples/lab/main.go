// Command lab serves reqtrace's in-process test lab until interrupted, and
// prints commands to try against it: a sandbox with slow DNS, slow TLS,
// bad certificates and slow servers, all on 127.0.0.1.
//
//	go run ./examples/lab
package main

import (
	"fmt"
	"os"
	"os/signal"

	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func main() {
	lab, err := tracetest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lab:", err)
		os.Exit(1)
	}
	defer lab.Close()
	flags := fmt.Sprintf("--dns-servers %s --cacert %s", lab.DNSAddr, lab.CAFile)
	fmt.Printf("The lab is up. Try (in another terminal):\n\n")
	for _, u := range []string{
		lab.URL("https", "dnsdelay-30.tlsdelay-40.api.lab.test", "/wait/120"),
		lab.URL("http", "chain.lab.test", "/drip?bytes=20000&ms=80"),
		lab.URL("https", "www.lab.test", "/early-hints"),
		lab.URL("https", "dual.lab.test", "/") + "  -v",
		lab.URL("https", "wrong.lab.test", "/"),
		lab.URL("https", "nxdomain.lab.test", "/"),
		lab.URL("https", "proxydelay-50.www.lab.test", "/") + "  -x " + lab.ProxyURL(),
		lab.URL("https", "www.lab.test", "/") + "  -x " + lab.SOCKSURL("socks5h"),
		// HTTP/3: a slow QUIC handshake; UDP "filtered" (the fallback to
		// TCP); an HTTPS record offering h3; the three protocols side by side.
		lab.URL("https", "tlsdelay-40.h3.lab.test", "/") + "  --http3",
		lab.URL("https", "noquic.lab.test", "/") + "  --http3 --connect-timeout 1",
		lab.URL("https", "h3rr.lab.test", "/") + "  -v",
		lab.URL("https", "h3.lab.test", "/") + "  --compare-protocols",
	} {
		fmt.Printf("  go run . %s %s\n", flags, u)
	}
	fmt.Printf("\nCtrl-C stops it.\n")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
}
