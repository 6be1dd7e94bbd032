// Package mailpittest runs Mailpit (github.com/axllent/mailpit), a real SMTP
// server with an HTTP API, on 127.0.0.1 for tests, and reads what arrived.
// Tests skip with a clear message when the binary is absent (install it
// with `go install github.com/axllent/mailpit@v1.33.1`; .ci/run does).
package mailpittest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is one running Mailpit.
type Server struct {
	SMTPHost string // 127.0.0.1
	SMTPPort int
	api      string // http://127.0.0.1:Q
	cmd      *exec.Cmd
	t        testing.TB
}

// Options choose Mailpit's behaviour.
type Options struct {
	// SMTPPort is the port to listen on (0: a free one); a test that wants
	// the connection refused first reserves a port and starts Mailpit later.
	SMTPPort int
	// Auth requires a login (any username and password) on plain text SMTP.
	Auth bool
	// Chaos enables the chaos API (SetChaos).
	Chaos bool
	// RecipientChaos, when not 0, is the SMTP code every RCPT TO is answered
	// with from the start (no message can arrive before it is in force);
	// SetChaos(0) lifts it.
	RecipientChaos int
}

// Binary finds the mailpit executable: on PATH, then in $(go env GOPATH)/bin.
func Binary() (string, bool) {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p, true
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return "", false
	}
	for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
		p := filepath.Join(dir, "bin", "mailpit")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, true
		}
	}
	return "", false
}

// FreePort is a TCP port on 127.0.0.1 nobody listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start runs Mailpit until the test ends, or skips the test when Mailpit is
// not installed.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin, ok := Binary()
	if !ok {
		t.Skip("mailpit is not installed (not on PATH nor in $(go env GOPATH)/bin): `go install github.com/axllent/mailpit@v1.33.1` to run the email tests")
	}
	if o.SMTPPort == 0 {
		o.SMTPPort = FreePort(t)
	}
	httpPort := FreePort(t)
	args := []string{
		"--smtp", fmt.Sprintf("127.0.0.1:%d", o.SMTPPort),
		"--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns",
	}
	if o.Auth {
		args = append(args, "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	}
	if o.Chaos || o.RecipientChaos != 0 {
		args = append(args, "--enable-chaos")
	}
	if o.RecipientChaos != 0 {
		args = append(args, "--chaos-triggers", fmt.Sprintf("Recipient:%d:100", o.RecipientChaos))
	}
	cmd := exec.Command(bin, args...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	s := &Server{SMTPHost: "127.0.0.1", SMTPPort: o.SMTPPort, api: fmt.Sprintf("http://127.0.0.1:%d", httpPort), cmd: cmd, t: t}
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.api + "/api/v1/messages")
		if err == nil {
			resp.Body.Close()
			if c, err := net.Dial("tcp", s.SMTPAddr()); err == nil {
				c.Close()
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// SMTPAddr is host:port of the SMTP listener.
func (s *Server) SMTPAddr() string { return net.JoinHostPort(s.SMTPHost, strconv.Itoa(s.SMTPPort)) }

// Stop ends Mailpit (the test's cleanup does too).
func (s *Server) Stop() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		s.cmd.Process.Kill()
		s.cmd.Wait()
	}
}

// Summary is one message of the list.
type Summary struct {
	ID        string
	MessageID string
	Subject   string
	To        []Address
	From      Address
}

// Address is a name and an address.
type Address struct{ Name, Address string }

// Message is one message in full.
type Message struct {
	ID        string
	MessageID string
	Subject   string
	Text      string
	HTML      string
	To        []Address
	From      Address
	Headers   map[string][]string
}

// Messages lists what arrived, newest first.
func (s *Server) Messages() []Summary {
	s.t.Helper()
	var out struct {
		Messages []Summary `json:"messages"`
	}
	s.get("/api/v1/messages?limit=1000", &out)
	return out.Messages
}

// Message reads one message, its headers too.
func (s *Server) Message(id string) Message {
	s.t.Helper()
	var m Message
	s.get("/api/v1/message/"+id, &m)
	s.get("/api/v1/message/"+id+"/headers", &m.Headers)
	return m
}

// SetChaos makes the SMTP server answer code to every RCPT TO (0: stop).
// Needs Options.Chaos.
func (s *Server) SetChaos(code int) {
	s.t.Helper()
	body := `{"Recipient":{"ErrorCode":` + strconv.Itoa(code) + `,"Probability":100}}`
	if code == 0 {
		body = `{}`
	}
	req, _ := http.NewRequest(http.MethodPut, s.api+"/api/v1/chaos", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		s.t.Fatalf("set chaos: %s: %s", resp.Status, b)
	}
}

func (s *Server) get(path string, v any) {
	s.t.Helper()
	resp, err := http.Get(s.api + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: %s %v: %s", path, resp.Status, err, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
}

// Clock is a settable clock for the digest tests: the injected Now of the
// runner, the store and serve.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock is a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// WaitFor polls cond until it holds, failing the test after a minute.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
