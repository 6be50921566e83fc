package trace_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

func TestParseTraceParent(t *testing.T) {
	tp, err := trace.ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if err != nil || !tp.Sampled || tp.TraceID[0] != 0x4b || tp.ParentID[7] != 0xb7 {
		t.Fatalf("%+v, %v", tp, err)
	}
	for _, bad := range []string{"", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"} {
		if _, err := trace.ParseTraceParent(bad); err == nil || !strings.Contains(err.Error(), "--traceparent") {
			t.Errorf("ParseTraceParent(%q) = %v, want a --traceparent error", bad, err)
		}
	}
}

// FuzzParseTraceParent: any --traceparent value parses to non-zero IDs or
// fails as bad input, and a parsed one is written back unchanged.
func FuzzParseTraceParent(f *testing.F) {
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	f.Add("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
	f.Fuzz(func(t *testing.T, s string) {
		tp, err := trace.ParseTraceParent(s)
		if err != nil {
			var e *trace.Error
			if !errors.As(err, &e) || e.Kind != trace.KindBadInput {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if tp.TraceID == [16]byte{} || tp.ParentID == [8]byte{} {
			t.Fatalf("%q: zero ID accepted", s)
		}
	})
}
