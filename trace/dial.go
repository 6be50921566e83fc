package trace

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// attemptDelay is RFC 8305's recommended "Connection Attempt Delay": how
// long one attempt may run before the next address is tried alongside it.
const attemptDelay = 250 * time.Millisecond

// sortHappyEyeballs orders addresses as RFC 8305 section 4 asks: IPv6
// first, then alternating families, keeping each family's DNS order.
func sortHappyEyeballs(addrs []netip.Addr) []netip.Addr {
	var v6, v4 []netip.Addr
	for _, a := range addrs {
		if a.Is4() {
			v4 = append(v4, a)
		} else {
			v6 = append(v6, a)
		}
	}
	out := make([]netip.Addr, 0, len(addrs))
	for i := 0; i < max(len(v4), len(v6)); i++ {
		if i < len(v6) {
			out = append(out, v6[i])
		}
		if i < len(v4) {
			out = append(out, v4[i])
		}
	}
	return out
}

// dialRace connects over TCP to the first address that answers (RFC
// 8305, see raceAddrs).
func dialRace(ctx context.Context, addrs []netip.Addr, port int, c *clock) (net.Conn, []Attempt, error) {
	dial := func(ctx context.Context, _ int, addr netip.Addr) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", netip.AddrPortFrom(addr, uint16(port)).String())
	}
	return raceAddrs(ctx, addrs, port, "", c, dial, func(conn net.Conn) { conn.Close() })
}

// raceAddrs is RFC 8305's race, for TCP connects and QUIC handshakes
// alike: it dials addrs in order, starting the next one every
// attemptDelay or as soon as one fails, keeps the first to succeed and
// discards any later one, and records every attempt, losers included
// (canceled once another won), as transport. It returns the winner, or
// the last failure's result and error. With one address it dials in the
// caller's goroutine: a goroutine and a timer would only add to the
// measured time.
func raceAddrs[T any](ctx context.Context, addrs []netip.Addr, port int, transport string, c *clock,
	dial func(ctx context.Context, i int, addr netip.Addr) (T, error), discard func(T)) (T, []Attempt, error) {
	attempts := make([]Attempt, 0, len(addrs))
	begin := func(i int) {
		attempts = append(attempts, Attempt{Address: netip.AddrPortFrom(addrs[i], uint16(port)).String(), Transport: transport, Start: c.since()})
	}
	if len(addrs) == 1 {
		begin(0)
		v, err := dial(ctx, 0, addrs[0])
		a := &attempts[0]
		a.Duration = c.since() - a.Start
		if err != nil {
			a.Err = dialErrorText(err)
		}
		return v, attempts, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		i   int
		v   T
		err error
	}
	done := make(chan outcome, len(addrs))
	start := func() {
		i := len(attempts)
		begin(i)
		go func() {
			v, err := dial(ctx, i, addrs[i])
			done <- outcome{i, v, err}
		}()
	}
	start()
	timer := time.NewTimer(attemptDelay)
	defer timer.Stop()
	var win, last T
	won := false
	var lastErr error
	for pending := 1; pending > 0; {
		select {
		case r := <-done:
			pending--
			a := &attempts[r.i]
			a.Duration = c.since() - a.Start
			switch {
			case r.err == nil && !won:
				win, won = r.v, true
				cancel() // the losers still running end now, recorded as canceled
			case r.err == nil:
				discard(r.v) // a late winner: keep the first
				a.Err = "canceled: another address connected first"
			case won:
				a.Err = "canceled: another address connected first"
			default:
				a.Err, last, lastErr = dialErrorText(r.err), r.v, r.err
				if len(attempts) < len(addrs) && ctx.Err() == nil {
					start()
					pending++
					timer.Reset(attemptDelay)
				}
			}
		case <-timer.C:
			if !won && len(attempts) < len(addrs) {
				start()
				pending++
				timer.Reset(attemptDelay)
			}
		}
	}
	if won {
		return win, attempts, nil
	}
	if lastErr == nil {
		lastErr = ctx.Err()
	}
	return last, attempts, lastErr
}

func dialErrorText(err error) string {
	switch {
	case isTimeout(err):
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "unreachable"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "address not available"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Err != nil {
		return oe.Err.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// connectError classifies a failed connect phase.
func connectError(err error, attempts []Attempt) *Error {
	where := "the server"
	if len(attempts) > 0 {
		where = attempts[len(attempts)-1].Address
	}
	tried := ""
	if len(attempts) > 1 {
		tried = fmt.Sprintf(" (%d addresses tried)", len(attempts))
	}
	e := &Error{Phase: PhaseConnect, Err: err}
	switch {
	case isTimeout(err):
		e.Kind = KindConnectTimeout
		e.Message = fmt.Sprintf("TCP connect to %s timed out%s", where, tried)
		e.Hint = "nothing answered the handshake: a firewall may drop the packets, or the host is down; raise --connect-timeout if it is only slow"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind = KindConnRefused
		e.Message = fmt.Sprintf("connection refused by %s%s", where, tried)
		e.Hint = "nothing listens on that port: check the port number and that the server is running"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EADDRNOTAVAIL):
		e.Kind = KindUnreachable
		e.Message = fmt.Sprintf("no route to %s%s", where, tried)
		e.Hint = "the network cannot reach that address: check the VPN, firewall or routes; -4 or -6 picks one address family"
	default:
		e.Kind = KindConnect
		e.Message = fmt.Sprintf("could not connect to %s: %s%s", where, dialErrorText(err), tried)
		e.Hint = "check the address and port, and the network between you and the server"
	}
	return e
}
