package cmd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// version reports what `go version -m` reads from the same binary: the
// module version, the VCS revision and dirty flag (or "unknown" when the
// build was not stamped), and the Go version. It is checked on the test
// binary (CI builds with -buildvcs=false) and on one built with
// -buildvcs=true (stamped when the tree is a git checkout).
func TestVersionMatchesBuildInfo(t *testing.T) {
	stamped := filepath.Join(t.TempDir(), "reqtrace")
	build := exec.Command("go", "build", "-buildvcs=true", "-o", stamped, "../")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Logf("no stamped build (%v): %s", err, out) // e.g. no git: the test binary alone is checked
		stamped = ""
	}
	for _, bin := range []string{binary, stamped} {
		if bin == "" {
			continue
		}
		info := goVersionM(t, bin)
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatal(err)
		}
		got := string(out)
		want := []string{"module    github.com/reqtrace/reqtrace " + info["mod"], "go        " + info["go"]}
		switch rev := info["vcs.revision"]; {
		case rev == "":
			want = append(want, "revision  unknown", "revision unknown;")
		case info["vcs.modified"] == "true":
			want = append(want, "revision  "+rev+" (with uncommitted changes)", rev[:12]+", modified;")
		default:
			want = append(want, "revision  "+rev+"\n", "committed "+info["vcs.time"], rev[:12]+";")
		}
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s version lacks %q:\n%s", filepath.Base(filepath.Dir(bin)), w, got)
			}
		}
		first, _, _ := strings.Cut(got, "\n")
		if v, err := exec.Command(bin, "--version").Output(); err != nil || string(v) != first+"\n" {
			t.Errorf("--version = %q, want the first line of version, %q", v, first)
		}
	}
}

// goVersionM reads `go version -m`: the Go version, the main module's
// version and the build settings.
func goVersionM(t *testing.T, bin string) map[string]string {
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for i, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		switch {
		case i == 0 && len(f) == 2:
			m["go"] = f[1]
		case len(f) >= 3 && f[0] == "mod":
			m["mod"] = f[2]
		case len(f) == 2 && f[0] == "build":
			if k, v, ok := strings.Cut(f[1], "="); ok {
				m[k] = v
			}
		}
	}
	return m
}
