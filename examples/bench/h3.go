package main

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/chromedp/chromedp"
)

// ---- (h) HTTP/3 ----

// h3Host is the name of the phase rows: the lab sleeps 50 ms in the
// server's ClientHello handling, over QUIC (UDP) as over TLS on TCP.
const h3Host = "tlsdelay-50.www.lab.test"

// noCurlH3 is the curl cells' text when curl -V lists no HTTP3 feature.
const noCurlH3 = "absent (no HTTP3 feature in curl -V)"

// cell is one tool's repeated measurement in table (h).
type cell struct {
	run func() (float64, error)
	got []float64
}

func (c *cell) median() float64 {
	if c == nil {
		return math.NaN()
	}
	return med(c.got)
}

// measureCells runs every cell n times, in turns (a different one first
// each round), keeping the figures of the runs that worked.
func measureCells(n int, names []string, cells []*cell) {
	for i := range n {
		var fns []func()
		for k, c := range cells {
			if c == nil {
				continue
			}
			fns = append(fns, func() {
				if v, err := c.run(); err == nil {
					c.got = append(c.got, v)
				} else {
					fmt.Fprintln(os.Stderr, names[k]+":", err)
				}
			})
		}
		rotate(i, fns)
	}
}

func (b *bench) h3Table(n int, big int64, bigRuns int) {
	curlH3 := b.curl != "" && curlHasHTTP3(b.curl)
	fmt.Println("(h) HTTP/3: reqtrace over QUIC (--http3-only, UDP on the lab's HTTPS port) against its own HTTP/2")
	fmt.Println("    (--http2, TCP on the same port), and against curl --http3-only when `curl -V` lists HTTP3 and")
	fmt.Println("    Chromium forced onto QUIC (--origin-to-force-quic-on; PerformanceNavigationTiming, nextHopProtocol h3).")
	if !curlH3 {
		fmt.Printf("    curl: %s\n", noCurlH3)
	}
	fmt.Println()
	b.h3Phases(n, curlH3)
	b.h3Wall(n, curlH3)
	if big > 0 {
		b.h3Throughput(big, bigRuns, curlH3)
	}
}

// h3Phases prints the QUIC handshake's error next to TLS over TCP's, each
// against the same injected 50 ms, and the goal.
func (b *bench) h3Phases(n int, curlH3 bool) {
	req := request{"https", h3Host, "/", false}
	// cells[row][col]: rows h3, h2; columns reqtrace, curl, chromium.
	var cells [2][3]*cell
	cells[0][0] = &cell{run: b.reqtracePhase(req, "quic", "--http3-only")}
	cells[1][0] = &cell{run: b.reqtracePhase(req, "tls", "--http2")}
	if curlH3 {
		cells[0][1] = &cell{run: b.curlPhase(req, "quic", "--http3-only")}
	}
	if b.curl != "" {
		cells[1][1] = &cell{run: b.curlPhase(req, "tls", "--http2")}
	}
	chromiumNote := "absent or not started"
	if b.chromium != "" && b.chromium != "none" {
		if c, err := b.startChromiumH3(); err == nil {
			defer c.close()
			cells[0][2] = &cell{run: func() (float64, error) { return c.quicConnect(b.url(req)) }}
		} else {
			chromiumNote = err.Error()
			fmt.Fprintln(os.Stderr, "chromium (QUIC):", err)
		}
	}
	if b.browser != nil {
		cells[1][2] = &cell{run: func() (float64, error) {
			f, err := b.browser.phases(b.url(req))
			return f["tls"], err
		}}
	}
	names := []string{"reqtrace h3", "curl h3", "chromium h3", "reqtrace h2", "curl h2", "chromium h2"}
	measureCells(n, names, append(cells[0][:], cells[1][:]...))

	fmt.Println("    The handshake under tlsdelay-50 (the lab sleeps 50 ms before its ServerHello): reqtrace's quic")
	fmt.Println("    phase (UDP socket opened → handshake complete) and its tls phase over TCP; curl: appconnect −")
	fmt.Println("    namelookup for QUIC, appconnect − connect for TLS; chromium: connectEnd − connectStart for QUIC,")
	fmt.Println("    connectEnd − secureConnectionStart for TLS. In brackets, the distance from the injected delay.")
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "request\tphase\tinjected\treqtrace\tcurl\tchromium\t")
	rows := []struct{ name, phase, curlNA, chromiumNA string }{
		{"QUIC handshake delayed 50 ms (h3)", "quic", noCurlH3, chromiumNote},
		{"TLS handshake delayed 50 ms (h2)", "tls", "absent", "absent or not started"},
	}
	for i, r := range rows {
		line := []string{r.name, r.phase, ms(50)}
		for k, c := range cells[i] {
			switch {
			case c != nil && len(c.got) == 0:
				line = append(line, "every run failed (stderr)")
			case c != nil:
				v := c.median()
				line = append(line, ms(v)+" ("+diff(v, 50)+")")
			case k == 1:
				line = append(line, r.curlNA)
			default:
				line = append(line, r.chromiumNA)
			}
		}
		fmt.Fprintln(tw, strings.Join(line, "\t")+"\t")
	}
	tw.Flush()
	quicErr := math.Abs(cells[0][0].median() - 50)
	tlsErr := math.Abs(cells[1][0].median() - 50)
	gap := quicErr - tlsErr
	ok := !math.IsNaN(gap) && gap <= 1
	fmt.Printf("    goal: QUIC handshake error ≤ TLS-over-TCP error + 1 ms; reqtrace's %s vs %s (gap %s): %s\n\n",
		signed(quicErr), signed(tlsErr), signed(gap), verdict(ok))
}

// reqtracePhase returns a run of reqtrace --json with flags that reads
// one phase.
func (b *bench) reqtracePhase(r request, phase string, flags ...string) func() (float64, error) {
	return func() (float64, error) {
		args := append([]string{"--json", "--cacert", b.lab.CAFile, "--resolve", b.resolve(r.scheme, r.host)}, flags...)
		f, err := reqtraceJSON(exec.Command(b.reqtrace, append(args, b.url(r))...))
		return pick(f, err, phase)
	}
}

// curlPhase returns a run of curl -w with flags that reads one phase.
// Over QUIC curl has no separate connect: its handshake is connect + tls
// (appconnect − namelookup).
func (b *bench) curlPhase(r request, phase string, flags ...string) func() (float64, error) {
	return func() (float64, error) {
		args := append([]string{"-s", "-o", "/dev/null", "--cacert", b.lab.CAFile, "-w", curlWriteOut,
			"--resolve", b.resolve(r.scheme, r.host)}, flags...)
		f, err := curlFigures(exec.Command(b.curl, append(args, b.url(r))...))
		if err == nil && phase == "quic" {
			f["quic"] = f["connect"] + f["tls"]
		}
		return pick(f, err, phase)
	}
}

func pick(f figures, err error, phase string) (float64, error) {
	if err != nil {
		return 0, err
	}
	v, ok := f[phase]
	if !ok {
		return 0, fmt.Errorf("no %s phase in the output", phase)
	}
	return v, nil
}

// curlHasHTTP3 reports whether curl -V's Features line lists HTTP3.
func curlHasHTTP3(curl string) bool {
	out, err := exec.Command(curl, "-V").Output()
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(line, "Features:"); ok {
			return slices.Contains(strings.Fields(rest), "HTTP3")
		}
	}
	return false
}

// startChromiumH3 starts a second Chromium that speaks QUIC to the phase
// rows' origin at once (without first learning it from Alt-Svc) and
// trusts the lab's leaf by its public key: with --ignore-certificate-errors
// alone Chromium 156 fails the QUIC handshake (ERR_QUIC_PROTOCOL_ERROR),
// with the leaf's SPKI hash in --ignore-certificate-errors-spki-list it
// completes it. The lab signs every leaf with one key, so one hash covers
// every name.
func (b *bench) startChromiumH3() (*chromiumTiming, error) {
	leaf, err := b.lab.Certificate(h3Host)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(leaf.Certificate[0])
	if err != nil {
		return nil, err
	}
	spki := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return startChromium(b.chromium, filepath.Join(b.dir, "chromium-h3"),
		chromedp.Flag("disable-quic", false),
		chromedp.Flag("enable-quic", true),
		chromedp.Flag("origin-to-force-quic-on", h3Host+":"+strconv.Itoa(b.lab.HTTPSPort)),
		chromedp.Flag("ignore-certificate-errors-spki-list", base64.StdEncoding.EncodeToString(spki[:])),
	)
}

// quicConnect navigates a fresh browser context to u and returns
// connectEnd − connectStart, the QUIC handshake, when the navigation
// went over h3.
func (c *chromiumTiming) quicConnect(u string) (float64, error) {
	t, err := c.navigate(u)
	if err != nil {
		return 0, err
	}
	if t.NextHopProtocol != "h3" {
		return 0, fmt.Errorf("navigation went over %q, not h3", t.NextHopProtocol)
	}
	return t.ConnectEnd - t.ConnectStart, nil
}

// h3Invocations returns reqtrace over h3 and over h2 (and curl over h3 if
// it can) for u as users run it (see asUsers).
func (b *bench) h3Invocations(u string, curlH3 bool) []invocation {
	roots := []string{"SSL_CERT_FILE=" + b.bundle}
	inv := []invocation{
		{tool: "reqtrace h3", bin: b.reqtrace, args: []string{"-o", "/dev/null", "--http3-only", u}, env: roots},
		{tool: "reqtrace h2", bin: b.reqtrace, args: []string{"-o", "/dev/null", "--http2", u}, env: roots},
	}
	if curlH3 {
		inv = append(inv, invocation{tool: "curl h3", bin: b.curl, args: []string{"-s", "-o", "/dev/null", "--http3-only", u},
			env: []string{"CURL_CA_BUNDLE=" + b.bundle}})
	}
	return inv
}

// h3Wall prints the wall time of a whole trace over h3 against h2.
func (b *bench) h3Wall(n int, curlH3 bool) {
	fmt.Println("    A whole trace as users run it (as in (d)): `reqtrace --http3-only URL` against `reqtrace --http2")
	fmt.Println("    URL` on https://localhost:PORT, median wall time, process start to exit; peak RSS.")
	fmt.Println()
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	head := "request\treqtrace h3 wall\treqtrace h2 wall\th3/h2\tcurl h3 wall\treqtrace h3 RSS\treqtrace h2 RSS\tcurl h3 RSS\t"
	fmt.Fprintln(tw, head)
	for _, c := range []struct{ name, path string }{
		{"HTTPS, 28 B body", "/"},
		{"HTTPS, 1 MiB body", "/bytes/1048576"},
	} {
		inv := b.h3Invocations(b.lab.URL("https", "localhost", c.path), curlH3)
		walls := b.wallTimes(n, inv)
		row := []string{c.name, ms(walls[0]), ms(walls[1]), ratio(walls[0], walls[1]), "absent"}
		if curlH3 {
			row[4] = ms(walls[2])
		}
		row = append(row, b.rssCells(inv)...)
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Println()
}

// rssCells returns the peak RSS of each invocation, "absent" for curl
// over h3 when it cannot.
func (b *bench) rssCells(inv []invocation) []string {
	cells := []string{"", "", "absent"}
	for i, in := range inv {
		rss, err := b.peakRSS(in)
		if err != nil {
			fmt.Fprintln(os.Stderr, in.tool+":", err)
			cells[i] = "—"
			continue
		}
		cells[i] = mib(float64(rss))
	}
	return cells
}

// h3Throughput prints a big body's throughput over h3 against h2.
func (b *bench) h3Throughput(size int64, runs int, curlH3 bool) {
	fmt.Printf("    A %s body to /dev/null as users run it (as in (e)): median throughput over %d runs each, wall\n", bytesText(size), runs)
	fmt.Println("    clock from process start to exit; peak RSS of a separate run.")
	fmt.Println()
	inv := b.h3Invocations(b.lab.URL("https", "localhost", "/bytes/"+strconv.FormatInt(size, 10)), curlH3)
	rss := b.rssCells(inv)
	rates := make([][]float64, len(inv))
	for i := range runs {
		var fns []func()
		for k, in := range inv {
			fns = append(fns, func() {
				if d, err := timed(in); err == nil {
					rates[k] = append(rates[k], float64(size)/(1<<20)/d.Seconds())
				} else {
					fmt.Fprintln(os.Stderr, in.tool+":", err)
				}
			})
		}
		rotate(i, fns)
	}
	h3, h2 := med(rates[0]), med(rates[1])
	curl := "absent"
	if curlH3 {
		curl = rateText(med(rates[2]))
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "transfer\treqtrace h3\treqtrace h2\th3/h2\tcurl h3\treqtrace h3 RSS\treqtrace h2 RSS\tcurl h3 RSS\t")
	row := append([]string{"HTTPS " + bytesText(size), rateText(h3), rateText(h2), ratio(h3, h2), curl}, rss...)
	fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	tw.Flush()
	fmt.Println()
}
