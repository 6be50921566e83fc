package curlargs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reqtrace/reqtrace/trace"
)

// TestOptions checks the request each argument shapes, with no network:
// Options only reads local files and stdin.
func TestOptions(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "up load.txt")
	if err := os.WriteFile(file, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	var warned []string
	env := Env{Stdin: strings.NewReader("from stdin"), Warn: func(m string) { warned = append(warned, m) }}

	o, err := Args{Get: true, Data: []Data{{"data", "a=1"}, {"data-urlencode", "b=x y"}}}.Options("http://h.test/p?z=0", env)
	if err != nil {
		t.Fatal(err)
	}
	if o.URL.RawQuery != "z=0&a=1&b=x+y" || o.Body != nil || o.ContentType != "" {
		t.Errorf("-G: query %q, body %q, type %q", o.URL.RawQuery, o.Body, o.ContentType)
	}

	o, err = Args{Upload: file}.Options("http://h.test/dir/", env)
	if err != nil {
		t.Fatal(err)
	}
	if string(o.Body) != "hello" || !o.Upload || o.URL.EscapedPath() != "/dir/up%20load.txt" {
		t.Errorf("-T: body %q, upload %v, path %q", o.Body, o.Upload, o.URL.EscapedPath())
	}

	a := Args{Range: "500", User: "alice:pw", Referer: "http://r.test/;auto", Data: []Data{{"data", "@-"}}}
	o, err = a.Options("http://h.test/", env)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Headers) != 1 || o.Headers[0].Name != "Range" || o.Headers[0].Value != "bytes=500-" {
		t.Errorf("-r 500: headers %+v", o.Headers)
	}
	if a.Range != "500" {
		t.Errorf("Options changed its Args: Range %q", a.Range)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "needs a dash") {
		t.Errorf("-r 500 warned %q", warned)
	}
	if pw, _ := o.User.Password(); o.User.Username() != "alice" || pw != "pw" {
		t.Errorf("-u: %v", o.User)
	}
	if o.Referer != "http://r.test/" || !o.RefererAuto || string(o.Body) != "from stdin" {
		t.Errorf("-e: %q auto %v; -d @-: %q", o.Referer, o.RefererAuto, o.Body)
	}
	if _, err := (Args{Range: "1", Head: true}).Options("http://h.test/", Env{}); err != nil {
		t.Errorf("no Warn func: %v", err) // -s: the warning is dropped
	}
}

func TestOptionsRefuses(t *testing.T) {
	for _, c := range []struct {
		args Args
		want string
	}{
		{Args{Method: "GE T"}, "is not a method name"},
		{Args{UserAgent: "x\r\nEvil: 1"}, "inject another"},
		{Args{User: "alice"}, "has no password"},
		{Args{Range: "a-b"}, "is not a byte range"},
		{Args{Head: true, Data: []Data{{"data", "x"}}}, "carries no body"},
		{Args{Key: "k.pem"}, "--key needs --cert"},
		{Args{TLS13: true, TLSMax: "1.2"}, "below the lowest version"},
		{Args{MaxRedirs: -2}, "--max-redirs -2"},
		{Args{MaxTime: -1}, "-m/--max-time -1"},
		{Args{Retry: -1}, "--retry -1"},
	} {
		_, err := c.args.Options("http://h.test/", Env{})
		var te *trace.Error
		if !errors.As(err, &te) || te.Kind != trace.KindBadInput || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want bad input saying %q", c.args, err, c.want)
		}
	}
}
