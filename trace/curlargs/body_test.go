package curlargs

import (
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRequestBody(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "body.txt")
	os.WriteFile(file, []byte("a=1\r\nb=2\n"), 0o644)
	cases := []struct {
		args  []Data
		stdin string
		want  string
	}{
		{[]Data{{"data", "x=1"}, {"data", "y=2"}}, "", "x=1&y=2"},
		{[]Data{{"data", "@" + file}}, "", "a=1b=2"},
		{[]Data{{"data-binary", "@" + file}}, "", "a=1\r\nb=2\n"},
		{[]Data{{"data-raw", "@" + file}}, "", "@" + file},
		{[]Data{{"data", "@-"}}, "from\nstdin", "fromstdin"},
		{[]Data{{"data-urlencode", "q=a b&c"}}, "", "q=a+b%26c"},
		{[]Data{{"data-urlencode", "=a b"}}, "", "a+b"},
		{[]Data{{"data-urlencode", "a b"}}, "", "a+b"},
		{[]Data{{"data-urlencode", "f@" + file}}, "", "f=a%3D1%0D%0Ab%3D2%0A"},
		{[]Data{{"data", "x=1"}, {"data-urlencode", "y=ä"}, {"data-raw", "z=@"}}, "", "x=1&y=%C3%A4&z=@"},
	}
	for _, c := range cases {
		got, err := requestBody(strings.NewReader(c.stdin), c.args)
		if err != nil || string(got) != c.want {
			t.Errorf("%v: %q, %v; want %q", c.args, got, err, c.want)
		}
	}
	if _, err := requestBody(nil, []Data{{"data", "@" + filepath.Join(dir, "missing")}}); err == nil || !strings.Contains(err.Error(), "cannot read -d") {
		t.Errorf("missing file: %v", err)
	}
}

func TestFormBody(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "photo.png")
	os.WriteFile(file, []byte("\x89PNG"), 0o644)
	note := filepath.Join(dir, "note.txt")
	os.WriteFile(note, []byte("hello"), 0o644)
	body, ctype, err := formBody(nil, []string{"name=alice", "photo=@" + file + ";type=image/png", "doc=@" + file + ";filename=x.bin", "note=<" + note})
	if err != nil {
		t.Fatal(err)
	}
	mt, params, _ := mime.ParseMediaType(ctype)
	if mt != "multipart/form-data" {
		t.Fatalf("content type %q", ctype)
	}
	r := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	form, err := r.ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if form.Value["name"][0] != "alice" || form.Value["note"][0] != "hello" {
		t.Errorf("values %v", form.Value)
	}
	photo := form.File["photo"][0]
	if photo.Filename != "photo.png" || photo.Header.Get("Content-Type") != "image/png" || photo.Size != 4 || form.File["doc"][0].Filename != "x.bin" {
		t.Errorf("files %+v %+v", photo, form.File["doc"][0])
	}
	if _, _, err := formBody(nil, []string{"novalue"}); err == nil {
		t.Error("a field without = was accepted")
	}
}
