package page_test

import (
	"testing"

	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace/page"
	"github.com/reqtrace/reqtrace/trace/page/pagetest"
)

// golden compares with testdata/NAME.golden (rewrite with -update).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	rendertest.Golden(t, name, got)
}

// loaded is the fixture page load, summarised as the engine leaves it.
func loaded() *page.Result {
	res := pagetest.Page()
	page.Summarize(res)
	return res
}

// repeated is the same with its repeat view.
func repeated() *page.Result {
	res := pagetest.PageRepeat()
	page.Summarize(res)
	return res
}
