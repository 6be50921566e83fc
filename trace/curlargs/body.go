package curlargs

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// Data is one -d/--data-* argument; Kind is the flag's name ("data",
// "data-binary", "data-raw", "data-urlencode"). The arguments of all data
// flags keep their order, as curl joins them.
type Data struct{ Kind, Value string }

// requestBody builds the body from the data arguments as curl does:
// --data strips CR and LF from @files, --data-binary keeps them,
// --data-raw takes @ literally, --data-urlencode encodes; all are joined
// with &. The body is sent as application/x-www-form-urlencoded unless a
// Content-Type header says otherwise.
func requestBody(stdin io.Reader, args []Data) ([]byte, error) {
	parts := make([]string, 0, len(args))
	total := 0
	for _, a := range args {
		var b []byte
		var err error
		switch a.Kind {
		case "data":
			b, err = readData(stdin, "-d", a.Value, true)
		case "data-binary":
			b, err = readData(stdin, "--data-binary", a.Value, false)
		case "data-raw":
			b = []byte(a.Value)
		case "data-urlencode":
			b, err = urlencodeData(stdin, a.Value)
		}
		if err != nil {
			return nil, err
		}
		if total += len(b) + 1; total > MaxBody+1 {
			return nil, trace.BadInput("the request body (-d/--data-*) is larger than %s, the most reqtrace sends: send less data", SizeText(MaxBody))
		}
		parts = append(parts, string(b))
	}
	return []byte(strings.Join(parts, "&")), nil
}

// readData reads @file (@- for stdin), or returns the text itself.
func readData(stdin io.Reader, flag, arg string, stripNewlines bool) ([]byte, error) {
	name, ok := strings.CutPrefix(arg, "@")
	if !ok {
		return []byte(arg), nil
	}
	b, err := ReadInput(flag, name, stdin, MaxBody)
	if err != nil || !stripNewlines {
		return b, err
	}
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r"), nil), []byte("\n"), nil), nil
}

// urlencodeData implements curl's --data-urlencode forms: "content",
// "=content", "name=content", "@file" and "name@file".
func urlencodeData(stdin io.Reader, arg string) ([]byte, error) {
	eq := strings.IndexByte(arg, '=')
	at := strings.IndexByte(arg, '@')
	switch {
	case eq >= 0 && (at < 0 || eq < at):
		name, content := arg[:eq], arg[eq+1:]
		if name == "" {
			return []byte(url.QueryEscape(content)), nil
		}
		return []byte(name + "=" + url.QueryEscape(content)), nil
	case at >= 0:
		name := arg[:at]
		b, err := ReadInput("--data-urlencode", arg[at+1:], stdin, MaxBody)
		if err != nil {
			return nil, err
		}
		if name == "" {
			return []byte(url.QueryEscape(string(b))), nil
		}
		return []byte(name + "=" + url.QueryEscape(string(b))), nil
	}
	return []byte(url.QueryEscape(arg)), nil
}

// formBody builds a multipart/form-data body from -F arguments:
// name=value, name=@file (an upload; ;type= and ;filename= may follow) and
// name=<file (a text field read from the file). It returns the body and
// its Content-Type with the boundary.
func formBody(stdin io.Reader, args []string) ([]byte, string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, a := range args {
		if err := addFormPart(mw, stdin, a); err != nil {
			return nil, "", err
		}
		if buf.Len() > MaxBody {
			return nil, "", trace.BadInput("the -F form body is larger than %s, the most reqtrace sends: send smaller parts", SizeText(MaxBody))
		}
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

func addFormPart(mw *multipart.Writer, stdin io.Reader, arg string) error {
	name, value, ok := strings.Cut(arg, "=")
	if !ok || name == "" {
		return trace.BadInput("-F %q: write it as name=value, name=@file or name=<file", arg)
	}
	if strings.HasPrefix(value, "@") {
		// the name, filename= and type= go into the part's header lines
		if err := headerSafe("-F", name+value); err != nil {
			return err
		}
	} else if err := headerSafe("-F (field name)", name); err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(value, "@"):
		spec := strings.Split(value[1:], ";")
		b, err := ReadInput("-F", spec[0], stdin, MaxBody)
		if err != nil {
			return err
		}
		filename, ctype := filepath.Base(spec[0]), "application/octet-stream"
		for _, p := range spec[1:] {
			k, v, _ := strings.Cut(p, "=")
			switch strings.TrimSpace(k) {
			case "type":
				ctype = v
			case "filename":
				filename = strings.Trim(v, `"`)
			}
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+escapeQuotes(name)+`"; filename="`+escapeQuotes(filename)+`"`)
		h.Set("Content-Type", ctype)
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case strings.HasPrefix(value, "<"):
		b, err := ReadInput("-F", value[1:], stdin, MaxBody)
		if err != nil {
			return err
		}
		return mw.WriteField(name, string(b))
	}
	return mw.WriteField(name, value)
}

func escapeQuotes(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) }
