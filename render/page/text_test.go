package page_test

import (
	"bytes"
	"testing"

	rpage "github.com/reqtrace/reqtrace/render/page"
)

func TestTextGolden(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  rpage.Options
	}{
		{"text_w80", rpage.Options{Width: 80}},
		{"text_w140", rpage.Options{Width: 140}},
		{"text_w100_verbose", rpage.Options{Verbose: true}},
	} {
		var buf bytes.Buffer
		if err := rpage.Text(&buf, repeated(), c.opt); err != nil {
			t.Fatal(err)
		}
		golden(t, c.name, buf.Bytes())
	}
}
