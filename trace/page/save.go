package page

import (
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
)

// savePath is where -o DIR keeps a body: DIR/host/path, each segment
// cleaned of what a file system or a shell could trip on, never outside
// DIR ("..", absolute paths and separators in segments are neutralised).
// A path ending in "/" is saved as index.html; a query becomes part of
// the file name.
func savePath(dir string, u *url.URL) string {
	p := path.Clean("/" + u.EscapedPath())
	if strings.HasSuffix(u.Path, "/") || p == "/" {
		p = path.Join(p, "index.html")
	}
	parts := []string{dir, safeSegment(u.Host)}
	for seg := range strings.SplitSeq(strings.TrimPrefix(p, "/"), "/") {
		if s, err := url.PathUnescape(seg); err == nil {
			seg = s
		}
		parts = append(parts, safeSegment(seg))
	}
	if u.RawQuery != "" {
		last := len(parts) - 1
		parts[last] = safeSegment(parts[last] + "?" + u.RawQuery)
	}
	return filepath.Join(parts...)
}

// safeSegment keeps letters, digits and ._-+=, replaces the rest with _,
// never yields "", "." or "..", and keeps a name short enough for any
// file system.
func safeSegment(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-+=", r)) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
		if b.Len() >= 120 {
			break
		}
	}
	out := b.String()
	if strings.Trim(out, ".") == "" {
		out = "_" + out
	}
	return out
}

// lazyFile creates its file on the first write, so a resource that sends
// no body (or comes from the cache) leaves none.
type lazyFile struct {
	dir string
	u   *url.URL
	f   *os.File
	err error
}

func (w *lazyFile) Write(p []byte) (int, error) {
	if w.f == nil && w.err == nil {
		name := savePath(w.dir, w.u)
		if w.err = os.MkdirAll(filepath.Dir(name), 0o755); w.err == nil {
			w.f, w.err = os.Create(name)
		}
	}
	if w.err != nil {
		return 0, w.err
	}
	return w.f.Write(p)
}

func (w *lazyFile) Close() error {
	if w.f == nil {
		return nil
	}
	return w.f.Close()
}
