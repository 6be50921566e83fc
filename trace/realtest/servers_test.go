package realtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The servers' configs. Each server listens on 127.0.0.1 only, on ports
// picked at start, writes its pid, error and access logs in the suite's
// directory, and stays in the foreground as one process, so stopping it by
// PID stops all of it.

// Port names, as env.port(NAME) takes them.
var nginxPorts = []string{"nginx.http", "nginx.valid", "nginx.chained", "nginx.nochain", "nginx.expired",
	"nginx.notyet", "nginx.wrong", "nginx.selfsigned", "nginx.tls12", "nginx.tls13", "nginx.mtls"}

// nginxLog is the access-log line the tests read: who sent it (X-Run),
// what the server saw, and the TLS it negotiated.
const nginxLog = `log_format rt '$http_x_run|$request_method|$request_uri|$server_protocol|$status|` +
	`$ssl_protocol|$ssl_cipher|$ssl_curve|$ssl_alpn_protocol|$ssl_client_s_dn|$ssl_session_reused|$http_authorization';`

const nginxLocations = `
	root %[1]s;
	location = /headers {
		add_header X-Multi one;
		add_header X-Multi two;
		add_header Cache-Control "public, max-age=60";
		add_header X-Odd-CASE "Mixed";
		return 200 "headers\n";
	}
	location = /teapot { return 418 "short and stout\n"; }
	location = /nophrase { return 599 "no phrase\n"; }
	location = /r301 { return 301 /; }
	location = /r302 { return 302 /; }
	location = /r303 { return 303 /; }
	location = /r307 { return 307 /; }
	location = /r308 { return 308 /; }
	location = /loop { return 302 /loop; }
	location /chain/ { return 302 ${uri}x; }
	location = /cross { return 302 http://localhost:$server_port/headers; }
	location = /server-timing {
		add_header Server-Timing "app;dur=5000;desc=\"longer than the response took\"";
		return 200 "fast\n";
	}
	location = /empty { return 204; }
	location = /trailer {
		default_type text/html;
		sub_filter 'x' 'y';
		sub_filter_once off;
		add_trailer X-Trailer-One "t1" always;
	}
	location /upload/ {
		dav_methods PUT;
		create_full_put_path on;
		client_max_body_size 20m;
	}
`

func nginxConf(e *env, ports []int) string {
	var b strings.Builder
	d := filepath.Join(e.dir, "nginx")
	fmt.Fprintf(&b, `daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 128; }
http {
	%[2]s
	access_log %[1]s/access.log rt;
	client_body_temp_path %[1]s/body;
	proxy_temp_path %[1]s/proxy;
	fastcgi_temp_path %[1]s/fastcgi;
	uwsgi_temp_path %[1]s/uwsgi;
	scgi_temp_path %[1]s/scgi;
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	server_tokens off;
	server {
		listen 127.0.0.1:%[3]d;
		%[4]s
	}
`, d, nginxLog, ports[0], fmt.Sprintf(nginxLocations, e.www))
	tls := []struct{ cert, key, extra string }{
		{e.pki.crt("valid"), e.pki.key("valid"), ""},
		{filepath.Join(e.pki.dir, "chained-full.crt"), e.pki.key("chained"), ""},
		{e.pki.crt("chained"), e.pki.key("chained"), ""},
		{e.pki.crt("expired"), e.pki.key("expired"), ""},
		{e.pki.crt("notyet"), e.pki.key("notyet"), ""},
		{e.pki.crt("wrong"), e.pki.key("wrong"), ""},
		{e.pki.crt("selfsigned"), e.pki.key("selfsigned"), ""},
		{e.pki.crt("rsa"), e.pki.key("rsa"), "ssl_protocols TLSv1.2; ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256; ssl_ecdh_curve secp384r1;"},
		{e.pki.crt("valid"), e.pki.key("valid"), "ssl_protocols TLSv1.3;"},
		{e.pki.crt("valid"), e.pki.key("valid"), "ssl_verify_client on; ssl_client_certificate " + e.pki.CA() + ";"},
	}
	for i, s := range tls {
		fmt.Fprintf(&b, `	server {
		listen 127.0.0.1:%d ssl http2;
		ssl_certificate %s;
		ssl_certificate_key %s;
		%s
		%s
	}
`, ports[i+1], s.cert, s.key, s.extra, fmt.Sprintf(nginxLocations, e.www))
	}
	b.WriteString("}\n")
	return b.String()
}

func startNginx(e *env) error {
	d := filepath.Join(e.dir, "nginx")
	os.MkdirAll(d, 0o755)
	p, ports, err := startServer("nginx", len(nginxPorts), func(ports []int) (*proc, error) {
		conf := filepath.Join(d, "nginx.conf")
		if err := os.WriteFile(conf, []byte(nginxConf(e, ports)), 0o644); err != nil {
			return nil, err
		}
		return start("nginx", filepath.Join(d, "stderr.log"), nil, "nginx", "-p", d, "-e", filepath.Join(d, "error.log"), "-c", conf)
	})
	return e.started("nginx", p, ports, nginxPorts, filepath.Join(d, "access.log"), err)
}

var apachePorts = []string{"apache.http", "apache.https"}

func apacheConf(e *env, ports []int) string {
	d := filepath.Join(e.dir, "apache")
	mods := []string{"mpm_event", "authz_core", "authz_host", "mime", "dir", "headers", "setenvif", "proxy", "proxy_http",
		"proxy_connect", "http2", "ssl", "socache_shmcb"}
	var b strings.Builder
	for _, m := range mods {
		fmt.Fprintf(&b, "LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so\n", m, m)
	}
	fmt.Fprintf(&b, `ServerRoot %[1]s
DefaultRuntimeDir %[1]s
PidFile %[1]s/httpd.pid
ErrorLog %[1]s/error.log
LogLevel warn
Mutex file:%[1]s default
User www-data
Group www-data
ServerName www.rt.test
ServerTokens Prod
Listen 127.0.0.1:%[2]d
Listen 127.0.0.1:%[3]d
TypesConfig /etc/mime.types
DocumentRoot %[4]s
<Directory %[4]s>
	Require all granted
</Directory>
DirectoryIndex index.html
Protocols h2 h2c http/1.1
LogFormat "%%{X-Run}i|%%m|%%U%%q|%%H|%%>s|%%{SSL_PROTOCOL}x|%%{SSL_CIPHER}x" rt
CustomLog %[1]s/access.log rt
SSLSessionCache shmcb:%[1]s/ssl_scache(512000)
<Location /apache-headers>
	Header always set X-Apache "set"
	Header always add X-Multi "a"
	Header always add X-Multi "b"
</Location>
ProxyPass /proxy/ http://127.0.0.1:%[5]d/
# A forward proxy for CONNECT (curl's and reqtrace's -x), loopback only.
ProxyRequests On
AllowCONNECT 1024-65535
<Proxy "*">
	Require ip 127.0.0.1
</Proxy>
<VirtualHost 127.0.0.1:%[3]d>
	SSLEngine on
	SSLCertificateFile %[6]s
	SSLCertificateKeyFile %[7]s
</VirtualHost>
`, d, ports[0], ports[1], e.www, e.port("nginx.http"), filepath.Join(d, "valid.crt"), filepath.Join(d, "valid.key"))
	return b.String()
}

// startApache runs apache2 as www-data from the start when the suite is
// root: apache2 started as root would switch to its User itself, and a
// process that changes its credentials loses Pdeathsig, so it would
// outlive a test binary that dies. setpriv sets the signal again after
// the switch. www-data then needs its own copy of the key and a
// directory it may write.
func startApache(e *env) error {
	d := filepath.Join(e.dir, "apache")
	os.MkdirAll(d, 0o777)
	os.Chmod(d, 0o777)
	for _, f := range []string{"valid.crt", "valid.key"} {
		if err := os.WriteFile(filepath.Join(d, f), must(os.ReadFile(filepath.Join(e.pki.dir, f))), 0o644); err != nil {
			return err
		}
	}
	argv := []string{"apache2", "-X", "-f", filepath.Join(d, "apache2.conf")}
	if os.Geteuid() == 0 {
		argv = append([]string{"setpriv", "--reuid=www-data", "--regid=www-data", "--clear-groups", "--pdeathsig=KILL"}, argv...)
	}
	p, ports, err := startServer("apache2", len(apachePorts), func(ports []int) (*proc, error) {
		if err := os.WriteFile(argv[len(argv)-1], []byte(apacheConf(e, ports)), 0o644); err != nil {
			return nil, err
		}
		return start("apache2", filepath.Join(d, "stderr.log"), nil, argv...)
	})
	return e.started("apache2", p, ports, apachePorts, filepath.Join(d, "access.log"), err)
}

var haproxyPorts = []string{"haproxy.http", "haproxy.https"}

func haproxyConf(e *env, ports []int) string {
	return fmt.Sprintf(`global
	log stdout format raw local0
	maxconn 100
defaults
	mode http
	log global
	timeout connect 5s
	timeout client 10s
	timeout server 10s
frontend fe
	bind 127.0.0.1:%d
	bind 127.0.0.1:%d ssl crt %s alpn h2,http/1.1
	log-format "%%[capture.req.hdr(0)]|%%HM|%%HPO|%%HV|%%ST|%%sslv|%%sslc"
	capture request header X-Run len 64
	http-request return status 200 content-type text/plain string "haproxy says hello\n" hdr X-Mixed-Case yes if { path /direct }
	http-response set-header X-Via-Haproxy yes
	default_backend be
backend be
	server nginx 127.0.0.1:%d
`, ports[0], ports[1], e.pki.pem("valid"), e.port("nginx.http"))
}

func startHaproxy(e *env) error {
	d := filepath.Join(e.dir, "haproxy")
	os.MkdirAll(d, 0o755)
	log := filepath.Join(d, "haproxy.log")
	p, ports, err := startServer("haproxy", len(haproxyPorts), func(ports []int) (*proc, error) {
		conf := filepath.Join(d, "haproxy.cfg")
		if err := os.WriteFile(conf, []byte(haproxyConf(e, ports)), 0o644); err != nil {
			return nil, err
		}
		return start("haproxy", log, nil, "haproxy", "-db", "-f", conf)
	})
	return e.started("haproxy", p, ports, haproxyPorts, log, err)
}

var caddyPorts = []string{"caddy.https"}

func caddyConf(e *env, ports []int) string {
	d := filepath.Join(e.dir, "caddy")
	return fmt.Sprintf(`{
 "admin": {"disabled": true},
 "storage": {"module": "file_system", "root": %[1]q},
 "logging": {"logs": {
   "default": {"writer": {"output": "file", "filename": %[2]q}, "exclude": ["http.log.access"]},
   "access": {"writer": {"output": "file", "filename": %[3]q}, "encoder": {"format": "json"}, "include": ["http.log.access"]}
 }},
 "apps": {
  "tls": {"certificates": {"load_files": [{"certificate": %[4]q, "key": %[5]q, "tags": ["rt"]}]}},
  "http": {"servers": {"rt": {
   "listen": ["127.0.0.1:%[6]d"],
   "protocols": ["h1", "h2"],
   "automatic_https": {"disable": true},
   "logs": {},
   "tls_connection_policies": [{"certificate_selection": {"any_tag": ["rt"]}}],
   "routes": [
    {"match": [{"path": ["/caddy"]}], "handle": [{"handler": "static_response", "status_code": 200,
      "headers": {"X-Caddy": ["one"], "Cache-Control": ["no-store"]}, "body": "caddy says hello\n"}]},
    {"match": [{"path": ["/caddy-redirect"]}], "handle": [{"handler": "static_response", "status_code": 308,
      "headers": {"Location": ["/caddy"]}}]},
    {"handle": [{"handler": "file_server", "root": %[7]q}]}
   ]
  }}}
 }
}`, d, filepath.Join(d, "caddy.log"), filepath.Join(d, "access.log"), e.pki.crt("valid"), e.pki.key("valid"), ports[0], e.www)
}

func startCaddy(e *env) error {
	d := filepath.Join(e.dir, "caddy")
	os.MkdirAll(d, 0o755)
	p, ports, err := startServer("caddy", len(caddyPorts), func(ports []int) (*proc, error) {
		conf := filepath.Join(d, "caddy.json")
		if err := os.WriteFile(conf, []byte(caddyConf(e, ports)), 0o644); err != nil {
			return nil, err
		}
		home := []string{"HOME=" + d, "XDG_DATA_HOME=" + d, "XDG_CONFIG_HOME=" + d}
		return start("caddy", filepath.Join(d, "stderr.log"), home, "caddy", "run", "--config", conf)
	})
	return e.started("caddy", p, ports, caddyPorts, filepath.Join(d, "access.log"), err)
}

// python3's http.server answers with an HTTP/1.0 status line: the -D test
// for "HTTP/1.0 kept".
func startPython(e *env) error {
	d := filepath.Join(e.dir, "python")
	os.MkdirAll(d, 0o755)
	log := filepath.Join(d, "python.log")
	p, ports, err := startServer("python3", 1, func(ports []int) (*proc, error) {
		return start("python3", log, []string{"PYTHONUNBUFFERED=1"}, "python3", "-m", "http.server",
			"--bind", "127.0.0.1", "--directory", e.www, fmt.Sprint(ports[0]))
	})
	return e.started("python3", p, ports, []string{"python.http"}, log, err)
}

func startMicrosocks(e *env) error {
	d := filepath.Join(e.dir, "microsocks")
	os.MkdirAll(d, 0o755)
	p, ports, err := startServer("microsocks", 1, func(ports []int) (*proc, error) {
		return start("microsocks", filepath.Join(d, "microsocks.log"), nil, "microsocks", "-i", "127.0.0.1", "-p", fmt.Sprint(ports[0]))
	})
	return e.started("microsocks", p, ports, []string{"socks"}, "", err)
}
