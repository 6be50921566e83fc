package jwt

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/render"
	"github.com/reqtrace/reqtrace/render/internal/rendertest"
	"github.com/reqtrace/reqtrace/trace/annotate"
)

func TestJWTGolden(t *testing.T) {
	// {"alg":"HS256","typ":"JWT"} . {"sub":"alice","iat":1772366400,"exp":1772370000} . sig
	tok, err := annotate.DecodeJWT("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImlhdCI6MTc3MjM2NjQwMCwiZXhwIjoxNzcyMzcwMDAwfQ.c2lnbmF0dXJl")
	if err != nil {
		t.Fatal(err)
	}
	no := false
	rep := Report{Token: tok, Now: time.Date(2026, 3, 1, 14, 0, 0, 0, time.UTC), Verified: &no, VerifyError: "the signature does not match"}
	var text, js bytes.Buffer
	if err := Text(&text, rep, render.Style{Width: 100}); err != nil {
		t.Fatal(err)
	}
	rendertest.Golden(t, "jwt_text", text.Bytes())
	if err := JSON(&js, rep); err != nil {
		t.Fatal(err)
	}
	rendertest.Golden(t, "jwt_json", js.Bytes())
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil || doc["verified"] != false || len(doc["problems"].([]any)) != 1 {
		t.Errorf("json %v: %s", err, js.Bytes())
	}
	if bytes.Contains(text.Bytes(), []byte("c2lnbmF0dXJl")) || bytes.Contains(js.Bytes(), []byte("c2lnbmF0dXJl")) {
		t.Error("the signature was printed")
	}
}
