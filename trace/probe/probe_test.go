package probe

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte("modules:\n  a:\n    prober: http\n    timeout: 2s\n    http:\n      method: post\n      valid_status_codes: [200, 204]\n      assertions: ['status == 204']\n  b:\n"), "t.yml")
	if err != nil || len(c.Modules) != 2 || c.Modules["a"].Timeout.Seconds() != 2 || len(c.Modules["a"].checks) != 1 || c.Modules["b"] == nil {
		t.Fatalf("%+v, %v", c, err)
	}
	for text, want := range map[string]string{
		"modules:\n  a:\n    http:\n      preferred_ip_protocol: ip5\n": "write ip4 or ip6",
		"modules:\n  a:\n    http:\n      http_version: '3'\n":          "write 1.1 or 2",
		"modules: [1]\n": "t.yml",
		"":               "t.yml",
	} {
		if _, err := ParseConfig([]byte(text), "t.yml"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", text, err, want)
		}
	}
}

// FuzzParseConfig: any module file parses or fails with an error; a parsed
// one has every module checked (its assertions compiled).
func FuzzParseConfig(f *testing.F) {
	f.Add("modules:\n  http_2xx:\n    prober: http\n")
	f.Add("modules:\n  a:\n    http:\n      headers: {X: y}\n      assertions: ['timings.wait < 1s']\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := ParseConfig([]byte(text), "f.yml")
		if err != nil {
			return
		}
		for name, m := range c.Modules {
			if m == nil || len(m.checks) != len(m.HTTP.Assertions) {
				t.Fatalf("module %q not checked: %+v", name, m)
			}
		}
	})
}
