package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/digest"
	"github.com/paperfeed/paperfeed/db/model"
	"github.com/paperfeed/paperfeed/feeds/mail/mailpittest"
)

var testSite = Site{BaseURL: "https://papers.example.org", Title: "paperfeed"}

func testDigest() config.Digest {
	return config.Digest{Name: "morning", Topics: []string{"ml"}, To: []string{"Me <me@example.org>"}, Every: config.EveryDay, At: "07:00", Hour: 7, Location: time.UTC, MaxPapers: 20}
}

// testPaper is synthetic: a hostile title, six authors, code and PDF links.
func testPaper() *model.Paper {
	return &model.Paper{
		UID: "arxiv:2503.01234", Title: "Learning <b>to</b> Rank & Papers", ArxivID: "2503.01234", Upvotes: 7,
		Authors:  []string{"A One", "B Two", "C Three", "D Four", "E Five", "F Six"},
		Abstract: "We rank papers by what readers want. Then we test it on ten corpora.",
		Links: []model.Link{{Kind: model.LinkAbstract, URL: "https://arxiv.org/abs/2503.01234"}, {Kind: model.LinkPDF, URL: "https://arxiv.org/pdf/2503.01234"},
			{Kind: model.LinkCode, URL: "https://github.com/example/rank"}},
		Sightings: []model.Sighting{{Source: "arxiv-cs", GUID: "g1"}, {Source: "hf", GUID: "g2"}},
	}
}

func testMessage(t *testing.T, m *config.Mail) *Message {
	t.Helper()
	v := digest.View(testPaper())
	sec := Section{Topic: "ml", Title: "Machine learning", PageURL: testSite.TopicURL("ml"), Papers: []Item{{Paper: v, PageURL: testSite.PaperURL(v.UID)}}}
	msg, err := Compose(testSite, m, testDigest(), "2026-12-02", "Me <me@example.org>", time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC), []Section{sec, {Topic: "empty", Title: "Empty"}})
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestCompose(t *testing.T) {
	msg := testMessage(t, &config.Mail{From: "paperfeed <papers@example.org>"})
	if len(msg.Sections) != 1 {
		t.Errorf("%d sections, want the empty one left out", len(msg.Sections))
	}
	if msg.Subject != "paperfeed · morning · 2026-12-02: 1 new paper" {
		t.Errorf("subject %q", msg.Subject)
	}
	if again := MessageID("morning", "2026-12-02", "me@example.org", "example.org"); msg.MessageID != again || !strings.HasSuffix(again, "@example.org") {
		t.Errorf("message id %q, again %q: not stable per digest, slot and recipient", msg.MessageID, again)
	}
	if MessageID("morning", "2026-12-03", "me@example.org", "example.org") == msg.MessageID || MessageID("morning", "2026-12-02", "bo@example.org", "example.org") == msg.MessageID {
		t.Error("message id does not change with the slot or the recipient")
	}
	for _, want := range []string{"Learning <b>to</b> Rank & Papers", "A One, B Two, C Three, D Four, E Five et al. (6 authors)", "We rank papers by what readers want.",
		"https://papers.example.org/papers/arxiv:2503.01234", "arXiv: https://arxiv.org/abs/2503.01234", "PDF: https://arxiv.org/pdf/2503.01234",
		"Code: https://github.com/example/rank", "▲ 7 upvotes · via arxiv-cs, hf"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, msg.Text)
		}
	}
	if strings.Contains(msg.Text, "Then we test") {
		t.Error("text holds more than the abstract's first sentence")
	}
	for _, want := range []string{"Learning &lt;b&gt;to&lt;/b&gt; Rank &amp; Papers", `<a href="https://arxiv.org/pdf/2503.01234" style=`, `<table role="presentation"`} {
		if !strings.Contains(msg.HTML, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	// Mail clients drop <style> blocks and external CSS: inline styles only.
	for _, bad := range []string{"<style", "<link", "class=", "<script", "<b>to</b>"} {
		if strings.Contains(msg.HTML, bad) {
			t.Errorf("html holds %q", bad)
		}
	}
}

// TestSendThroughMailpit: a message arrives with both parts, its headers
// and its links, logged in (security "none" to a loopback host).
func TestSendThroughMailpit(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{Auth: true})
	m := &config.Mail{SMTP: mp.SMTPAddr(), Host: mp.SMTPHost, Port: mp.SMTPPort, Security: config.SecurityNone, Username: "u", Password: "pw-S3CRET", From: "paperfeed <papers@example.org>"}
	msg := testMessage(t, m)
	var sent []string
	if err := NewSender(m).Send(context.Background(), []*Message{msg}, func(m *Message) error { sent = append(sent, m.To); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 {
		t.Fatalf("sent callback %v", sent)
	}
	list := mp.Messages()
	if len(list) != 1 {
		t.Fatalf("%d messages arrived", len(list))
	}
	got := mp.Message(list[0].ID)
	if got.MessageID != msg.MessageID || got.Subject != msg.Subject || len(got.To) != 1 || got.To[0].Address != "me@example.org" {
		t.Errorf("arrived %+v", got)
	}
	if !strings.Contains(got.Text, "Code: https://github.com/example/rank") || !strings.Contains(got.HTML, `href="https://github.com/example/rank"`) {
		t.Errorf("parts: text %q html %q", got.Text, got.HTML)
	}
	h := got.Headers
	if !strings.HasPrefix(h["Content-Type"][0], "multipart/alternative") {
		t.Errorf("content type %v", h["Content-Type"])
	}
	if h["List-Id"][0] != "paperfeed digest morning <morning.digest.example.org>" {
		t.Errorf("List-Id %v", h["List-Id"])
	}
	if u := h["List-Unsubscribe"][0]; !strings.HasPrefix(u, "<mailto:papers@example.org?subject=unsubscribe") {
		t.Errorf("List-Unsubscribe %v", u)
	}
	if d, err := time.Parse(time.RFC1123Z, h["Date"][0]); err != nil || !d.Equal(msg.Date) {
		t.Errorf("Date %v (%v)", h["Date"], err)
	}
}

// TestSendFailures: the error names the server and carries its answer.
func TestSendFailures(t *testing.T) {
	mp := mailpittest.Start(t, mailpittest.Options{Chaos: true})
	m := &config.Mail{SMTP: mp.SMTPAddr(), Host: mp.SMTPHost, Port: mp.SMTPPort, Security: config.SecurityNone, From: "papers@example.org"}
	mp.SetChaos(451)
	err := NewSender(m).Send(context.Background(), []*Message{testMessage(t, m)}, func(*Message) error { return nil })
	var se *SendError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "451") || !strings.Contains(err.Error(), mp.SMTPAddr()) {
		t.Errorf("err %v, want the server's 451 answer", err)
	}
	port := mailpittest.FreePort(t)
	refused := &config.Mail{SMTP: fmt.Sprintf("127.0.0.1:%d", port), Host: "127.0.0.1", Port: port, Security: config.SecurityNone, From: "papers@example.org"}
	if err := NewSender(refused).Send(context.Background(), []*Message{testMessage(t, refused)}, nil); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("err %v, want connection refused", err)
	}
}
