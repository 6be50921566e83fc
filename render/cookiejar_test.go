package render

import (
	"strings"
	"testing"
	"time"

	"github.com/reqtrace/reqtrace/trace"
)

func TestCookieJarFormat(t *testing.T) {
	var b strings.Builder
	err := CookieJar(&b, []trace.Cookie{
		{Domain: "api.example", HostOnly: true, Path: "/", Secure: true, HTTPOnly: true, Name: "sid", Value: "s3cr3t"},
		{Domain: "example", Path: "/app", Expires: time.Unix(1800000000, 0), Name: "pref", Value: "a\tb"},
	})
	want := "# Netscape HTTP Cookie File\n# https://curl.se/docs/http-cookies.html\n# This file was written by reqtrace; -b reads it back.\n\n" +
		"#HttpOnly_api.example\tFALSE\t/\tTRUE\t0\tsid\ts3cr3t\n" +
		".example\tTRUE\t/app\tFALSE\t1800000000\tpref\tab\n"
	if err != nil || b.String() != want {
		t.Errorf("got %v\n%q\nwant\n%q", err, b.String(), want)
	}
	// what it writes, -b reads back as the same cookies
	back, err := trace.ParseCookieFile(strings.NewReader(b.String()))
	if err != nil || len(back) != 2 || back[0].Host != "api.example" || back[0].Cookie.Domain != "" || !back[0].Cookie.HttpOnly ||
		back[1].Host != "example" || back[1].Cookie.Expires.Unix() != 1800000000 {
		t.Errorf("read back: %v %+v", err, back)
	}
}
