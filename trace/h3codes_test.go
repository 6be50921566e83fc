package trace_test

import (
	"errors"
	"testing"

	"github.com/quic-go/quic-go"

	"github.com/reqtrace/reqtrace/trace"
	"github.com/reqtrace/reqtrace/trace/tracetest"
)

func TestH3ErrorText(t *testing.T) {
	const reserved = ", a reserved code sent to exercise error handling, with no meaning"
	for code, want := range map[uint64]string{
		0x102:           "0x102 H3_INTERNAL_ERROR, an internal error in the server's HTTP stack",
		0x10c:           "0x10c H3_REQUEST_CANCELLED, the request or its response was cancelled",
		0x200:           "0x200 QPACK_DECOMPRESSION_FAILED, the field section could not be decompressed",
		0x21:            "0x21" + reserved,
		0x1f*7 + 0x21:   "0xfa" + reserved,
		0x1f*100 + 0x21: "0xc3d" + reserved,
		0x111:           "0x111, not an HTTP/3 error code reqtrace knows",
		1<<62 - 1:       "0x3fffffffffffffff, not an HTTP/3 error code reqtrace knows",
	} {
		if got := trace.H3ErrorText(code); got != want {
			t.Errorf("%#x: %q, want %q", code, got, want)
		}
	}
}

// The lab's /reset/N resets its HTTP/3 stream with H3_INTERNAL_ERROR: the
// error the hop keeps carries that code, and H3ErrorText names it.
func TestH3ErrorTextOfLabReset(t *testing.T) {
	lab := tracetest.New(t)
	o := labOptions(t, lab, lab.URL("https", "www.lab.test", "/reset/100"))
	o.HTTP = "3-only"
	res := trace.Do(t.Context(), o)
	var se *quic.StreamError
	if res.Err == nil || !errors.As(res.Err.Err, &se) {
		t.Fatalf("%+v", res.Err)
	}
	if got := trace.H3ErrorText(uint64(se.ErrorCode)); got[:23] != "0x102 H3_INTERNAL_ERROR" || se.ErrorCode != tracetest.ResetCode {
		t.Errorf("code %d: %q", se.ErrorCode, got)
	}
}
