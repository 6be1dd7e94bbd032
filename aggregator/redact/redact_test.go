package redact

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var validScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.\-]*$`) // RFC 3986 section 3.1

func TestURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain URL unchanged", "https://example.org/feed.xml?page=2#top", "https://example.org/feed.xml?page=2#top"},
		{"user and password", "https://alice:s3cret@example.org/feed", "https://REDACTED@example.org/feed"},
		{"token as user name", "https://ghp_TOKEN@example.org/", "https://REDACTED@example.org/"},
		{"@ in password", "https://u:p@ss@example.org/x", "https://REDACTED@example.org/x"},
		{"port kept", "http://u:p@127.0.0.1:8080/a", "http://REDACTED@127.0.0.1:8080/a"},
		{"@ in path is not userinfo", "https://medium.com/@someone/feed", "https://medium.com/@someone/feed"},
		{"@ in query is not userinfo", "https://example.org?mail=a@b.org", "https://example.org?mail=a@b.org"},
		{"api_key", "https://eutils.ncbi.nlm.nih.gov/x?db=pubmed&api_key=SECRET&retmax=5", "https://eutils.ncbi.nlm.nih.gov/x?db=pubmed&api_key=REDACTED&retmax=5"},
		{"names case-insensitive", "https://h/?API_KEY=S&ApiKey=S&Token=S", "https://h/?API_KEY=REDACTED&ApiKey=REDACTED&Token=REDACTED"},
		{"exact names", "https://h/?key=S&sig=S&auth=S&password=S&passwd=S&secret=S&pwd=S",
			"https://h/?key=REDACTED&sig=REDACTED&auth=REDACTED&password=REDACTED&passwd=REDACTED&secret=REDACTED&pwd=REDACTED"},
		{"suffixes", "https://h/?access_token=S&client_secret=S&subscription-key=S&db_password=S",
			"https://h/?access_token=REDACTED&client_secret=REDACTED&subscription-key=REDACTED&db_password=REDACTED"},
		{"AWS presigned", "https://b.s3.amazonaws.com/o?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abc&X-Amz-Security-Token=t",
			"https://b.s3.amazonaws.com/o?X-Amz-Algorithm=AWS4&X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED"},
		{"escaped name", "https://h/?api%5Fkey=S", "https://h/?api%5Fkey=REDACTED"},
		{"empty value", "https://h/?token=&a=1", "https://h/?token=REDACTED&a=1"},
		{"name without value kept", "https://h/?token&a=1", "https://h/?token&a=1"},
		{"fragment token", "https://h/cb#access_token=S&state=x", "https://h/cb#access_token=REDACTED&state=x"},
		{"nested URL", "https://h/login?next=https://u:p@i/?api_key=S", "https://h/login?next=https://REDACTED@i/?api_key=REDACTED"},
		{"nested escaped URL", "https://h/?next=" + url.QueryEscape("https://u:p@i/"), "https://h/?next=" + url.QueryEscape("https://REDACTED@i/")},
		{"both", "https://u:PASS@h/f?api_key=SECRET", "https://REDACTED@h/f?api_key=REDACTED"},
		{"file URL", "file:///etc/passwd", "file:///etc/passwd"},
		{"unparsable", "https://u:p@h/%zz?token=S", "https://REDACTED@h/%zz?token=REDACTED"},
		{"no scheme", "example.org/f?apikey=S", "example.org/f?apikey=REDACTED"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := URL(tt.in); got != tt.want {
				t.Errorf("URL(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if got := URL(tt.want); got != tt.want {
				t.Errorf("not idempotent: URL(%q) = %q", tt.want, got)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no URL", "HTTP 500 Internal Server Error", "HTTP 500 Internal Server Error"},
		{"error message", `GET https://u:PW@h/f?api_key=SECRET: HTTP 500 Internal Server Error`, `GET https://REDACTED@h/f?api_key=REDACTED: HTTP 500 Internal Server Error`},
		{"quoted", `parse "https://u:PW@h/%zz": invalid URL escape "%zz"`, `parse "https://REDACTED@h/%zz": invalid URL escape "%zz"`},
		{"two URLs", "GET http://a/?token=X: redirect to ftp://u:p@b/ refused", "GET http://a/?token=REDACTED: redirect to ftp://REDACTED@b/ refused"},
		{"in HTML", `<a href='https://h/?sig=X'>`, `<a href='https://h/?sig=REDACTED'>`},
		{"echoed request line", "400 Bad Request: GET /eutils/esearch.fcgi?db=pubmed&api_key=SECRET HTTP/1.1", "400 Bad Request: GET /eutils/esearch.fcgi?db=pubmed&api_key=REDACTED HTTP/1.1"},
		{"question in prose", "why? because (see?) a=b", "why? because (see?) a=b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestError(t *testing.T) {
	if Error(nil) != nil {
		t.Error("Error(nil) is not nil")
	}
	_, perr := url.Parse("https://u:PW@h/%zz")
	err := Error(perr)
	if want := `parse "https://REDACTED@h/%zz": invalid URL escape "%zz"`; err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Error("chain lost")
	}
}

func TestIsCredentialName(t *testing.T) {
	for name, want := range map[string]bool{
		"api_key": true, "apikey": true, "API-KEY": true, "key": true, "token": true, "access_token": true,
		"auth": true, "password": true, "passwd": true, "secret": true, "client_secret": true, "signature": true,
		"sig": true, "X-Amz-Signature": true, "X-Amz-Credential": true, "AWSAccessKeyId": true, "jwt": true,
		"page": false, "q": false, "db": false, "retmax": false, "format": false, "author": false, "signup": false,
	} {
		if got := IsCredentialName(name); got != want {
			t.Errorf("IsCredentialName(%q) = %v, want %v", name, got, want)
		}
	}
}

// FuzzURL: redaction never panics, is idempotent, and a secret placed in the
// password, the user name, a credential parameter or a nested URL never
// survives, whatever the rest of the URL is.
func FuzzURL(f *testing.F) {
	f.Add("https", "example.org", "/feed", "page=2", "alice", "pw")
	f.Add("http", "127.0.0.1:8080", "/a@b", "next=https://x/", "", "")
	f.Add("file", "", "/etc/passwd", "", "u", "#?&=")
	f.Add("ftp", "h", "", "token&x", "@", "%zz")
	f.Fuzz(func(t *testing.T, scheme, host, path, query, user, secret string) {
		for _, in := range []string{scheme + "://" + host + path + "?" + query, scheme + host + path + query + user + secret} {
			out := URL(in)
			if again := URL(out); again != out {
				t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
			}
			if again := Text(Text(in)); again != Text(in) {
				t.Fatalf("Text not idempotent: %q -> %q -> %q", in, Text(in), again)
			}
		}
		marked := "S3CR3T" + secret
		base := scheme + "://"
		if !validScheme.MatchString(scheme) {
			base = "https://"
		}
		host = strings.Map(func(r rune) rune {
			if strings.ContainsRune("/?#@", r) {
				return -1
			}
			return r
		}, host)
		for _, in := range []string{
			base + url.UserPassword(user, marked).String() + "@" + host + "/f",
			base + url.User(marked).String() + "@" + host + "/f",
			base + host + "/f?" + strings.ReplaceAll(query, "#", "") + "&api_key=" + url.QueryEscape(marked),
			base + host + "/f?next=" + url.QueryEscape("https://"+url.UserPassword(user, marked).String()+"@i/"),
		} {
			outs := []string{URL(in)}
			// Text finds a URL up to a space, quote or angle bracket.
			if !strings.ContainsAny(in, "\t\n\f\r \"'<>`") {
				outs = append(outs, Text("GET "+in+": HTTP 500"))
			}
			for _, out := range outs {
				if strings.Contains(out, marked) || strings.Contains(out, url.QueryEscape(marked)) || strings.Contains(out, url.PathEscape(marked)) {
					t.Fatalf("secret survived: %q -> %q", in, out)
				}
			}
		}
	})
}
