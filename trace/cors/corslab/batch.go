package corslab

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// A batch runs many fetch() calls in one page load, for a browser driven
// by no protocol (Firefox): the test sets a plan per page origin, the
// browser loads the page ("/"), which runs the plan's specs one after
// another and posts each result back to /batch/result on its own origin,
// then goes on to the plan's Next page (another origin's "/") or posts
// /batch/done. Without a plan the page does nothing (Chromium's tabs).

// Spec is one fetch() of a batch, as runFetch takes it.
type Spec struct {
	Name        string      `json:"name"`
	URL         string      `json:"url"`
	Method      string      `json:"method"`
	Headers     [][2]string `json:"headers"`
	Credentials string      `json:"credentials"`
	Body        *string     `json:"body"`
	Sandbox     bool        `json:"sandbox"`
}

// Plan is what one page origin's /batch runs.
type Plan struct {
	Specs []Spec `json:"specs"`
	Next  string `json:"next"` // the URL to load when done; "" ends the batch
}

// Result is what runFetch resolved to for one spec.
type Result struct {
	Name    string   `json:"name"`
	OK      bool     `json:"ok"`
	Status  int      `json:"status"`
	Headers []string `json:"headers"`
	Error   string   `json:"error"`
}

// batch holds the plans and the results posted back.
type batch struct {
	mu      sync.Mutex
	plans   map[string]Plan // by the page's Host header
	results map[string]Result
	done    chan struct{}
	once    sync.Once
}

// SetPlan sets what the page at host (PageHost:port) runs from /batch.
func (l *Lab) SetPlan(host string, p Plan) {
	l.batch.mu.Lock()
	defer l.batch.mu.Unlock()
	l.batch.plans[host] = p
}

// BatchDone is closed when a page posted /batch/done.
func (l *Lab) BatchDone() <-chan struct{} { return l.batch.done }

// Results are the results posted back so far, by spec name.
func (l *Lab) Results() map[string]Result {
	l.batch.mu.Lock()
	defer l.batch.mu.Unlock()
	out := make(map[string]Result, len(l.batch.results))
	for k, v := range l.batch.results {
		out[k] = v
	}
	return out
}

// serveBatch answers the page server's /batch paths; it reports false for
// any other path.
func (l *Lab) serveBatch(w http.ResponseWriter, r *http.Request) bool {
	b := &l.batch
	switch r.URL.Path {
	case "/batch/plan":
		b.mu.Lock()
		p := b.plans[r.Host]
		b.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(p)
	case "/batch/result":
		var res Result
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&res); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return true
		}
		b.mu.Lock()
		b.results[res.Name] = res
		b.mu.Unlock()
	case "/batch/done":
		b.once.Do(func() { close(b.done) })
	default:
		return false
	}
	return true
}

// batchJS runs the page's plan, if it has one.
const batchJS = `async function post(path, v) {
  await fetch(path, {method: "POST", body: JSON.stringify(v)});
}
async function runPlan() {
  const plan = await (await fetch("/batch/plan")).json();
  if (!plan.specs && !plan.next) return;
  for (const spec of plan.specs || []) {
    let r;
    // A fetch that hangs must not stall the batch: 15 s each at most.
    const timeout = new Promise(resolve => setTimeout(() => resolve({ok: false, status: 0, headers: [], error: "runner: no answer in 15 s"}), 15000));
    try { r = await Promise.race([runFetch(spec), timeout]); } catch (e) { r = {ok: false, status: 0, headers: [], error: "runner: " + e}; }
    r.name = spec.name;
    await post("/batch/result", r);
  }
  if (plan.next) location.href = plan.next; else await post("/batch/done", {});
}
window.addEventListener("load", () => runPlan());`
