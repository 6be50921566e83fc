package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/reqtrace/reqtrace/trace"
)

// The types below mirror HAR 1.2 and reqtrace's "_reqtrace" extras. They
// are lenient: a value of the wrong type is ignored instead of failing the
// file (encoding/json skips a field whose type does not match and reports
// an *json.UnmarshalTypeError, which the decoder here drops), numbers may
// come as strings, and every list keeps at most a fixed number of items so
// that a small hostile file cannot fan out into a huge Result.

// lstr is a lenient string: a JSON string, or the text of a number or
// boolean; null and anything else read as "".
type lstr string

func (s *lstr) UnmarshalJSON(b []byte) error {
	*s = ""
	switch {
	case len(b) == 0:
	case b[0] == '"':
		var v string
		if json.Unmarshal(b, &v) == nil {
			*s = lstr(v)
		}
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9' || b[0] == 't' || b[0] == 'f':
		*s = lstr(b)
	}
	return nil
}

// lnum is a lenient finite number: a JSON number or a string holding one.
// ok is false when it was absent, null or not a finite number.
type lnum struct {
	v  float64
	ok bool
}

func (n *lnum) UnmarshalJSON(b []byte) error {
	*n = lnum{}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		var v string
		if json.Unmarshal(b, &v) != nil {
			return nil
		}
		s = strings.TrimSpace(v)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	*n = lnum{v, true}
	return nil
}

// count is the number as a whole count in [0, limit], if it is one.
func (n lnum) count(limit int64) (int64, bool) {
	if !n.ok || n.v < 0 || n.v > float64(limit) || n.v != math.Trunc(n.v) {
		return 0, false
	}
	return int64(n.v), true
}

// capper fixes how many items a list keeps.
type capper interface{ max() int }

type (
	long  struct{} // headers, cookies and other lists that can be long in real files
	short struct{} // nested lists: certificates, their names, 1xx responses, ...
)

func (long) max() int  { return 1000 }
func (short) max() int { return 64 }

// list is a JSON array keeping at most C.max() items and counting the rest.
// Items that are not even of T's kind (a number where an object belongs)
// are dropped, not kept as zero values.
type list[T any, C capper] struct {
	items   []T
	dropped int
}

func (l *list[T, C]) UnmarshalJSON(b []byte) error {
	*l = list[T, C]{}
	var c C
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil // not an array: as if absent
	}
	for dec.More() {
		var raw json.RawMessage
		if dec.Decode(&raw) != nil {
			return nil
		}
		if len(l.items) >= c.max() {
			l.dropped++
			continue
		}
		var v T
		if !decodeLenient(raw, &v) {
			l.dropped++
			continue
		}
		l.items = append(l.items, v)
	}
	return nil
}

// decodeLenient decodes raw into v, ignoring fields of the wrong type. It
// reports false when raw is not even of v's kind (an object for a struct).
func decodeLenient(raw []byte, v any) bool {
	err := json.Unmarshal(raw, v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &te):
		// A type error on the whole value (a string where an entry
		// should be) has no field; one inside it does.
		return te.Field != ""
	}
	return false
}

// skipped is the "_reqtrace.skipped" map, holding only phase names.
type skipped map[string]string

func (s *skipped) UnmarshalJSON(b []byte) error {
	*s = nil
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		var why lstr // takes any value, so the decoder never stops here
		if dec.Decode(&why) != nil {
			return nil
		}
		if k, ok := key.(string); ok && why != "" && slices.Contains(phases, k) {
			if *s == nil {
				*s = skipped{}
			}
			(*s)[k] = string(why)
		}
	}
	return nil
}

var phases = []string{trace.PhaseDNS, trace.PhaseConnect, trace.PhaseTLS, trace.PhaseSend, trace.PhaseWait, trace.PhaseReceive}

type header struct {
	Name  lstr `json:"name"`
	Value lstr `json:"value"`
}

type entry struct {
	Pageref         lstr     `json:"pageref"`
	StartedDateTime lstr     `json:"startedDateTime"`
	Time            lnum     `json:"time"`
	Request         request  `json:"request"`
	Response        response `json:"response"`
	Timings         timings  `json:"timings"`
	ServerIPAddress lstr     `json:"serverIPAddress"`
	Connection      lstr     `json:"connection"`
	FromCache       lstr     `json:"_fromCache"` // Chrome: "memory" or "disk"
	Reqtrace        *extras  `json:"_reqtrace"`
}

type request struct {
	Method      lstr               `json:"method"`
	URL         lstr               `json:"url"`
	HTTPVersion lstr               `json:"httpVersion"`
	Headers     list[header, long] `json:"headers"`
	HeadersSize lnum               `json:"headersSize"`
	BodySize    lnum               `json:"bodySize"`
	PostData    *postData          `json:"postData"`
}

type postData struct {
	MimeType lstr `json:"mimeType"`
	Text     lstr `json:"text"`
}

type response struct {
	Status      lnum               `json:"status"`
	StatusText  lstr               `json:"statusText"`
	HTTPVersion lstr               `json:"httpVersion"`
	Headers     list[header, long] `json:"headers"`
	Content     content            `json:"content"`
	RedirectURL lstr               `json:"redirectURL"`
	HeadersSize lnum               `json:"headersSize"`
	BodySize    lnum               `json:"bodySize"`
	Error       lstr               `json:"_error"` // Chrome: "net::ERR_NAME_NOT_RESOLVED"
}

type content struct {
	Size        lnum `json:"size"`
	Compression lnum `json:"compression"`
	MimeType    lstr `json:"mimeType"`
	Text        lstr `json:"text"`
	Encoding    lstr `json:"encoding"`
}

type timings struct {
	Blocked lnum `json:"blocked"`
	DNS     lnum `json:"dns"`
	Connect lnum `json:"connect"`
	SSL     lnum `json:"ssl"`
	Send    lnum `json:"send"`
	Wait    lnum `json:"wait"`
	Receive lnum `json:"receive"`
}

type page struct {
	ID              lstr       `json:"id"`
	Title           lstr       `json:"title"`
	StartedDateTime lstr       `json:"startedDateTime"`
	Reqtrace        *pageExtra `json:"_reqtrace"`
}

type pageExtra struct {
	URL      lstr    `json:"url"`
	Insecure bool    `json:"insecure"`
	Error    *xError `json:"error"`
}

// extras is what reqtrace's HAR writer puts in an entry's "_reqtrace",
// named as in the --json document.
type extras struct {
	Target        *lstr                       `json:"target"`
	DNS           *xDNS                       `json:"dns"`
	Connect       *xConnect                   `json:"connect"`
	TLS           *xTLS                       `json:"tls"`
	QUIC          *xQUIC                      `json:"quic"`
	Informational list[xInfo, short]          `json:"informational"`
	ServerTiming  *list[xServerTiming, short] `json:"server_timing"`
	Redirect      *xRedirect                  `json:"redirect"`
	Error         *xError                     `json:"error"`
	Fallback      *xFallback                  `json:"fallback"`
	Offsets       *xOffsets                   `json:"offsets_ms"`
	Skipped       skipped                     `json:"skipped"`
	TotalMS       lnum                        `json:"total_ms"`
	HeadersCut    lnum                        `json:"headers_cut"`
}

type xDNS struct {
	Host       lstr                 `json:"host"`
	HostUni    lstr                 `json:"host_unicode"`
	Name       lstr                 `json:"name"`
	Server     lstr                 `json:"server"`
	Source     lstr                 `json:"source"`
	Rcode      lstr                 `json:"rcode"`
	Records    list[xRecord, long]  `json:"records"`
	Addresses  list[lstr, short]    `json:"addresses"`
	Queries    list[xQuery, short]  `json:"queries"`
	DurationMS lnum                 `json:"duration_ms"`
	Authority  list[xRecord, short] `json:"authority"`
	NegTTL     lnum                 `json:"negative_ttl"`
	Tried      list[xTried, short]  `json:"tried"`
	HTTPSName  lstr                 `json:"https_name"`
	HTTPS      list[xHTTPS, short]  `json:"https"`
	HTTPSError lstr                 `json:"https_error"`
}

type xHTTPS struct {
	Name          lstr              `json:"name"`
	TTL           lnum              `json:"ttl"`
	Priority      lnum              `json:"priority"`
	Target        lstr              `json:"target"`
	ALPN          list[lstr, short] `json:"alpn"`
	NoDefaultALPN bool              `json:"no_default_alpn"`
	Port          lnum              `json:"port"`
	IPv4Hint      list[lstr, short] `json:"ipv4hint"`
	IPv6Hint      list[lstr, short] `json:"ipv6hint"`
	ECH           bool              `json:"ech"`
	Via           lstr              `json:"via"`
}

type xTried struct {
	Name       lstr                 `json:"name"`
	Server     lstr                 `json:"server"`
	Rcode      lstr                 `json:"rcode"`
	Authority  list[xRecord, short] `json:"authority"`
	NegTTL     lnum                 `json:"negative_ttl"`
	StartMS    lnum                 `json:"start_ms"`
	DurationMS lnum                 `json:"duration_ms"`
	Error      lstr                 `json:"error"`
}

type xRecord struct {
	Name  lstr `json:"name"`
	Type  lstr `json:"type"`
	TTL   lnum `json:"ttl"`
	Value lstr `json:"value"`
}

type xQuery struct {
	Name       lstr `json:"name"`
	Type       lstr `json:"type"`
	Server     lstr `json:"server"`
	Transport  lstr `json:"transport"`
	StartMS    lnum `json:"start_ms"`
	DurationMS lnum `json:"duration_ms"`
	Rcode      lstr `json:"rcode"`
	Truncated  bool `json:"truncated"`
	Flags      lstr `json:"flags"`
	Answers    lnum `json:"answers"`
	Error      lstr `json:"error"`
}

type xConnect struct {
	Address      lstr                  `json:"address"`
	LocalAddress lstr                  `json:"local_address"`
	Reused       bool                  `json:"reused"`
	DurationMS   lnum                  `json:"duration_ms"`
	Attempts     list[xAttempt, short] `json:"attempts"`
	Via          lstr                  `json:"via"`
}

type xAttempt struct {
	Address    lstr `json:"address"`
	Transport  lstr `json:"transport"`
	StartMS    lnum `json:"start_ms"`
	DurationMS lnum `json:"duration_ms"`
	Error      lstr `json:"error"`
}

type xTLS struct {
	Version      lstr               `json:"version"`
	CipherSuite  lstr               `json:"cipher_suite"`
	ALPN         lstr               `json:"alpn"`
	Group        lstr               `json:"group"`
	ServerName   lstr               `json:"server_name"`
	Resumed      bool               `json:"resumed"`
	OCSPStapled  bool               `json:"ocsp_stapled"`
	Verified     bool               `json:"verified"`
	VerifyError  lstr               `json:"verify_error"`
	VerifyReason lstr               `json:"verify_reason"`
	DurationMS   lnum               `json:"duration_ms"`
	Certificates list[xCert, short] `json:"certificates"`
}

type xCert struct {
	Subject            lstr              `json:"subject"`
	Issuer             lstr              `json:"issuer"`
	DNSNames           list[lstr, short] `json:"dns_names"`
	IPAddresses        list[lstr, short] `json:"ip_addresses"`
	NotBefore          lstr              `json:"not_before"`
	NotAfter           lstr              `json:"not_after"`
	Serial             lstr              `json:"serial"`
	SignatureAlgorithm lstr              `json:"signature_algorithm"`
	PublicKey          lstr              `json:"public_key"`
	IsCA               bool              `json:"is_ca"`
}

type xInfo struct {
	Status  lnum               `json:"status"`
	Headers list[header, long] `json:"headers"`
	AtMS    lnum               `json:"at_ms"`
}

type xServerTiming struct {
	Name        lstr `json:"name"`
	DurationMS  lnum `json:"duration_ms"`
	Description lstr `json:"description"`
}

type xRedirect struct {
	Location    lstr              `json:"location"`
	Method      lstr              `json:"method"`
	KeepsBody   bool              `json:"keeps_body"`
	Rule        lstr              `json:"rule"`
	CrossOrigin bool              `json:"cross_origin"`
	Dropped     list[lstr, short] `json:"dropped"`
	Followed    bool              `json:"followed"`
}

type xError struct {
	Phase   lstr `json:"phase"`
	Kind    lstr `json:"kind"`
	Message lstr `json:"message"`
	Hint    lstr `json:"hint"`
}

// xFallback is why a hop that was to try HTTP/3 went over TCP.
type xFallback struct {
	Reason     lstr    `json:"reason"`
	Message    lstr    `json:"message"`
	Address    lstr    `json:"address"`
	StartMS    lnum    `json:"start_ms"`
	DurationMS lnum    `json:"duration_ms"`
	Error      *xError `json:"error"`
}

// xOffsets holds when each phase started, since the hop started; a phase
// that is null here did not take place.
type xOffsets struct {
	DNS     lnum `json:"dns"`
	Connect lnum `json:"connect"`
	QUIC    lnum `json:"quic"`
	TLS     lnum `json:"tls"`
	Send    lnum `json:"send"`
	Wait    lnum `json:"wait"`
	Receive lnum `json:"receive"`
}

// xQUIC is an HTTP/3 hop's QUIC section (render's wireQUIC).
type xQUIC struct {
	Version       lstr         `json:"version"`
	Used0RTT      bool         `json:"used_0rtt"`
	Datagrams     bool         `json:"datagrams"`
	MinRTTMS      lnum         `json:"min_rtt_ms"`
	SmoothedRTTMS lnum         `json:"smoothed_rtt_ms"`
	PacketsSent   lnum         `json:"packets_sent"`
	PacketsLost   lnum         `json:"packets_lost"`
	Retries       lnum         `json:"retries"`
	Peer          *xQUICParams `json:"peer_params"`
}

type xQUICParams struct {
	IdleTimeoutMS     lnum `json:"idle_timeout_ms"`
	MaxStreamsBidi    lnum `json:"max_streams_bidi"`
	MaxStreamsUni     lnum `json:"max_streams_uni"`
	MaxData           lnum `json:"max_data"`
	MaxUDPPayload     lnum `json:"max_udp_payload"`
	MaxDatagramFrame  lnum `json:"max_datagram_frame"`
	ActiveConnIDLimit lnum `json:"active_connection_id_limit"`
	DisableMigration  bool `json:"disable_active_migration"`
}
