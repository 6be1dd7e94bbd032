// Package mail sends digest emails: it composes one multipart message (plain
// text and HTML) per recipient from the digest's topics' new papers, sends it
// through the configured SMTP server (github.com/wneessen/go-mail), and
// records in the store what went to whom, so that a slot is sent once
// whatever restarts or replicas there are (see Runner).
package mail

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/digest"
)

// Section is one topic of a message: its papers, best first.
type Section struct {
	Topic   string // the topic's name
	Title   string // the topic's title
	PageURL string // the topic's HTML page
	Papers  []Item
}

// Item is one paper of a section as a message lists it.
type Item struct {
	digest.Paper
	PageURL string // the paper's page on the site
}

// Message is one digest email to one recipient.
type Message struct {
	Digest    string
	Slot      string // the slot's key (see Schedule.SlotKey)
	From      string
	To        string // the recipient as configured
	Subject   string
	MessageID string // without angle brackets
	ListID    string
	// Unsubscribe is the List-Unsubscribe URI: a mail to the sender, who
	// removes the address from the digest's to.
	Unsubscribe string
	Date        time.Time
	Day         string // the date the message is of, in the digest's zone
	Sections    []Section
	Text, HTML  string
}

// Papers counts the papers of every section.
func (m *Message) Papers() int {
	n := 0
	for _, s := range m.Sections {
		n += len(s.Papers)
	}
	return n
}

// Site is what a message links to and how it names its sender.
type Site struct {
	BaseURL string // [server] base_url, no trailing slash
	Title   string // [server] title
}

// PaperURL is the page of the paper with the given UID (the /papers/{id}
// route of package feeds).
func (s Site) PaperURL(uid string) string { return s.BaseURL + "/papers/" + url.PathEscape(uid) }

// TopicURL is a topic's HTML page.
func (s Site) TopicURL(name string) string { return s.BaseURL + "/topics/" + name + ".html" }

// Compose builds digest d's message for one recipient: the sections (empty
// ones left out), the headers, and both bodies.
func Compose(site Site, m *config.Mail, d config.Digest, slot, to string, date time.Time, sections []Section) (*Message, error) {
	var kept []Section
	for _, s := range sections {
		if len(s.Papers) > 0 {
			kept = append(kept, s)
		}
	}
	domain := senderDomain(m.From)
	msg := &Message{
		Digest: d.Name, Slot: slot, From: m.From, To: to, Date: date, Sections: kept,
		MessageID:   MessageID(d.Name, slot, to, domain),
		ListID:      fmt.Sprintf("%s digest %s <%s.digest.%s>", oneLine(site.Title), d.Name, d.Name, domain),
		Unsubscribe: "mailto:" + address(m.From) + "?subject=" + url.PathEscape("unsubscribe "+d.Name+" "+address(to)),
	}
	msg.Day = date.In(digest.ScheduleOf(d).Loc).Format("2006-01-02")
	msg.Subject = fmt.Sprintf("%s · %s · %s: %s", oneLine(site.Title), d.Name, msg.Day, plural(msg.Papers(), "new paper"))
	var err error
	if msg.Text, err = renderText(msg); err != nil {
		return nil, err
	}
	if msg.HTML, err = renderHTML(msg, site); err != nil {
		return nil, err
	}
	return msg, nil
}

// MessageID is stable per digest, slot and recipient: a message sent again
// (a retry after a failure the server had in fact accepted) is recognised by
// mail clients as the same message.
func MessageID(digestName, slot, to, domain string) string {
	h := sha256.Sum256([]byte(digestName + "\x00" + slot + "\x00" + strings.ToLower(address(to))))
	return "digest." + hex.EncodeToString(h[:12]) + "@" + domain
}

// address is the bare address of a configured "Name <addr>" (Validate checked it).
func address(s string) string {
	if a, err := netmail.ParseAddress(s); err == nil {
		return a.Address
	}
	return s
}

// senderDomain is the domain of the sender's address, for ids.
func senderDomain(from string) string {
	_, domain, ok := strings.Cut(address(from), "@")
	if !ok || domain == "" {
		return "paperfeed.invalid"
	}
	return strings.ToLower(domain)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
