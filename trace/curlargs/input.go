package curlargs

import (
	"io"
	"os"
	"strconv"

	"github.com/reqtrace/reqtrace/trace"
)

// Caps on the local files and stdin the flags read (README "Limits",
// "Local inputs"). They are counted in bytes read, never taken from stat:
// /dev/zero, a pipe, <(cmd) and /dev/stdin all stat as size 0.
const (
	MaxBody    = 64 << 20 // -d, --data-*, -F, -T: one file, and the whole body
	MaxPEM     = 4 << 20  // --cacert, --cert, --key, jwt --key
	MaxCookies = 4 << 20  // -b FILE (trace.ParseCookieFile reads no more)
)

// ReadInput reads the file name for flag, at most limit bytes: one byte
// more is read so that a larger input is refused, not cut. "-" is stdin
// for the flags that take it (stdin not nil), a file name for the others.
func ReadInput(flag, name string, stdin io.Reader, limit int64) ([]byte, error) {
	in, shown := stdin, "@-"
	if name != "-" || stdin == nil {
		f, err := os.Open(name)
		if err != nil {
			return nil, trace.BadInput("cannot read %s %s: %v", flag, name, UnwrapPathErr(err))
		}
		defer f.Close()
		in, shown = f, name
	}
	b, err := io.ReadAll(io.LimitReader(in, limit+1))
	if err != nil {
		return nil, trace.BadInput("cannot read %s %s: %v", flag, shown, UnwrapPathErr(err))
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(flag, shown, limit)
	}
	return b, nil
}

// tooLarge is the error for an input over its cap.
func tooLarge(flag, name string, limit int64) error {
	return trace.BadInput("%s %s is larger than %s, the most reqtrace reads for %s: give a smaller file", flag, name, SizeText(limit), flag)
}

// SizeText is a cap as people read it: "64 MiB", "4097 bytes".
func SizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// UnwrapPathErr drops the file name an *os.PathError repeats: the
// messages name the flag and the file already.
func UnwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
