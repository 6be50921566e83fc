package compare

// The `--compare-protocols --json` document, reqtrace.compare/v1 (schema:
// render/schema/compare.json, `reqtrace schema compare`). Each run is the
// whole document `trace --json` writes for it, so whatever reads a trace
// reads every run of a comparison.

import (
	"errors"
	"io"
	"reflect"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/trace"
)

// Schema names the comparison document's format and version.
const Schema = "reqtrace.compare/v1"

var errNil = errors.New("render/compare: nil *trace.Comparison")

type wireCompare struct {
	Schema      string         `json:"schema"`
	URL         string         `json:"url"`
	Rounds      int            `json:"rounds"`
	Interrupted bool           `json:"interrupted"`
	Protocols   []wireProtocol `json:"protocols"`
	// QUICSavesMS is HTTP/2's median setup minus HTTP/3's; null unless
	// both set up a connection.
	QUICSavesMS *float64 `json:"quic_saves_ms"`
}

type wireProtocol struct {
	Asked  string `json:"asked"` // "HTTP/1.1", "HTTP/2", "HTTP/3"
	Proto  string `json:"proto"` // what the server spoke, "" when no run got a response
	Runs   int    `json:"runs"`
	Failed int    `json:"failed"`
	// MedianMS holds each phase's median over the runs that had it:
	// dns, connect, proxy, tls, quic, send, wait, receive, setup, total.
	MedianMS map[string]float64  `json:"median_ms"`
	Error    *render.WireError   `json:"error"` // the last run's
	Traces   []render.WireResult `json:"traces"`
}

// JSON writes the comparison as one reqtrace.compare/v1 document.
func JSON(w io.Writer, c *trace.Comparison) error {
	if c == nil {
		return errNil
	}
	doc := wireCompare{Schema: Schema, URL: c.URL, Rounds: c.Rounds, Interrupted: c.Interrupted, Protocols: []wireProtocol{}}
	if saved, ok := c.QUICSaving(); ok {
		ms := render.Millis(saved)
		doc.QUICSavesMS = &ms
	}
	for i := range c.Protocols {
		p := &c.Protocols[i]
		wp := wireProtocol{Asked: p.Asked, Proto: p.Proto(), Runs: p.Stats.Runs, Failed: p.Stats.Failed,
			MedianMS: map[string]float64{}, Error: render.WireErr(p.Err()), Traces: []render.WireResult{}}
		for _, ps := range append(p.Stats.Phases, p.Setup) {
			if ps.N > 0 {
				wp.MedianMS[ps.Phase] = render.Millis(ps.Median)
			}
		}
		for _, r := range p.Runs {
			wp.Traces = append(wp.Traces, render.WireResultOf(r))
		}
		doc.Protocols = append(doc.Protocols, wp)
	}
	return render.WriteJSON(w, doc)
}

// WireType is the Go type of the document, for the schema generator.
func WireType() reflect.Type { return reflect.TypeFor[wireCompare]() }
