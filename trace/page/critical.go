package page

// criticalPath is the chain of discovery that ends with the render-blocking
// resource to finish last: the document, the stylesheet that named it, the
// @import inside that... each found by the one before it (its
// Initiator.Request). Shortening any link of it brings the first render
// forward. Without render-blocking resources it is the document alone; it
// is nil when nothing was requested.
func criticalPath(res *Result) []int {
	if len(res.Requests) == 0 {
		return nil
	}
	last := 0
	for i, r := range res.Requests {
		if r.RenderBlocking && r.End() > res.Requests[last].End() {
			last = i
		}
	}
	var path []int
	seen := map[int]bool{}
	for i := last; i >= 0 && i < len(res.Requests) && !seen[i]; i = res.Requests[i].Initiator.Request {
		seen[i] = true // a cycle would be the engine's bug; never loop on it
		path = append(path, i)
		if i == 0 {
			break
		}
	}
	for a, b := 0, len(path)-1; a < b; a, b = a+1, b-1 {
		path[a], path[b] = path[b], path[a]
	}
	return path
}
