package render

import (
	"io"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

// What the other documents (render/page's reqtrace.page/v1) share with
// `trace --json`, so a hop reads the same everywhere and is converted in
// one place.

// HopJSON is one hop of the trace document, as `trace --json` writes it.
type HopJSON = wireHop

// ErrorJSON is the trace document's error object.
type ErrorJSON = wireError

// HopsJSON converts r's hops as `trace --json` does (never nil).
func HopsJSON(r *trace.Result) []HopJSON {
	out := make([]HopJSON, 0, len(r.Hops))
	for i := range r.Hops {
		out = append(out, wireHopOf(&r.Hops[i], r))
	}
	return out
}

// ErrorJSONOf converts an error; nil stays nil (JSON null).
func ErrorJSONOf(e *trace.Error) *ErrorJSON { return wireErr(e) }

// WriteJSON writes v as one JSON document the way every reqtrace document
// is written: indented two spaces, HTML escaping off, and the runes a
// terminal acts on escaped.
func WriteJSON(w io.Writer, v any) error { return writeJSON(w, v) }

// Millis is a duration in float milliseconds, rounded to the microsecond,
// as every *_ms field of the documents.
func Millis(d time.Duration) float64 { return ms(d) }
