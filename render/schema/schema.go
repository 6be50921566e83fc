// Package schema holds the JSON Schemas (draft 2020-12) of reqtrace's JSON
// documents, so that the repository alone documents its contract:
// trace.json (trace --json, har --json), series.json (trace -n N --json),
// cors.json, explain.json, explain-list.json, jwt.json, page.json (page
// --json, from render/page) and compare.json (--compare-protocols --json,
// from render/compare). The struct-based
// ones are generated from render's wire types and checked against them
// (go test ./render -run TestSchemaFiles -update rewrites them); the CLI
// tests validate real output against every one. `reqtrace schema NAME`
// prints one.
package schema

import (
	"embed"
	"slices"
	"strings"
)

//go:embed *.json
var files embed.FS

// Names lists the schemas: "cors", "explain", ...
func Names() []string {
	entries, _ := files.ReadDir(".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(names)
	return names
}

// Get returns the schema called name, and whether there is one.
func Get(name string) ([]byte, bool) {
	b, err := files.ReadFile(name + ".json")
	return b, err == nil
}
