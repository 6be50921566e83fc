package trace

import (
	"fmt"
	"strings"
)

// CheckField says why a header field cannot be sent as it is, or returns
// nil. The name must be a token; the value must hold no control
// character but a tab (RFC 9110 section 5.5). A CR or LF would end the
// field, or the whole head, early and let the value write fields or a
// request of its own: header injection. HTTP/2 refuses all of them too,
// so refusing them here makes both protocols fail the same way, as bad
// input, before anything is sent. cmd checks its flags with it; the
// engine checks every field it builds (CheckRequest). The message never
// quotes the value: it may be a credential.
func CheckField(name, value string) *Error {
	if !validToken(name) {
		return injection(fmt.Sprintf("the header name %q is not a token (letters, digits and !#$%%&'*+-.^_`|~ only)", name))
	}
	if i := strings.IndexFunc(value, isControl); i >= 0 {
		return injection(fmt.Sprintf("the %s header's value holds %s at byte %d", name, controlName(value[i]), i+1))
	}
	return nil
}

// CheckRequest checks the method and every header field of a request
// before it is sent.
func CheckRequest(method string, headers []Header) *Error {
	if !validToken(method) {
		return injection(fmt.Sprintf("the method %q is not a token (letters, digits and !#$%%&'*+-.^_`|~ only)", method))
	}
	for _, h := range headers {
		if err := CheckField(h.Name, h.Value); err != nil {
			return err
		}
	}
	return nil
}

func injection(msg string) *Error {
	e := BadInput("%s", msg)
	e.Hint = "remove it: a CR, LF, NUL or other control character is never valid in a request head, and a line break there is header injection"
	return e
}

func isControl(r rune) bool { return r < ' ' && r != '\t' || r == 0x7f }

func controlName(c byte) string {
	switch c {
	case '\r':
		return `a carriage return (\r)`
	case '\n':
		return `a line feed (\n)`
	case 0:
		return `a NUL byte (\0)`
	}
	return fmt.Sprintf("the control character 0x%02X", c)
}

// checkRequest checks the hop's request head, and the User-Agent a proxy's
// CONNECT carries even when -H removed it from the request.
func (h *hopRun) checkRequest() *Error {
	if err := CheckRequest(h.req.method, h.s.headers(h.req)); err != nil {
		return err
	}
	if h.o.UserAgent != "" {
		return CheckField("User-Agent", h.o.UserAgent)
	}
	return nil
}
