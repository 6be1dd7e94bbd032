package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/paperfeed/paperfeed/aggregator/fetch"
	"github.com/paperfeed/paperfeed/aggregator/plaintext"
	"github.com/paperfeed/paperfeed/aggregator/redact"
)

// Helpers the scholarly APIs (Crossref, OpenAlex, PubMed) share: their text
// carries JATS and MathML markup, and their error answers carry a message.

var (
	// jatsTitleRE is a JATS section title: "Background" becomes "Background: ".
	jatsTitleRE = regexp.MustCompile(`(?s)<(?:jats:)?title(?:\s[^<>]*)?>(.*?)</(?:jats:)?title\s*>`)
	// nsTagRE is a tag of a namespaced vocabulary (jats:p, mml:mi, ...).
	nsTagRE = regexp.MustCompile(`</?([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)(?:\s[^<>]*)?/?>`)
	// mathRE is a MathML tag without a prefix (PubMed writes <math>, <mi>, ...).
	mathRE = regexp.MustCompile(`</?(?:math|mi|mo|mn|ms|mtext|mrow|msub|msup|msubsup|mfrac|msqrt|mroot|mover|munder|munderover|mstyle|mspace|mfenced|mtable|mtr|mtd|semantics|annotation|mpadded|mphantom)(?:\s[^<>]*)?/?>`)
	// mathBlockRE is one MathML formula; interTagSpaceRE the indentation between its tags.
	mathBlockRE     = regexp.MustCompile(`(?s)<(?:mml:)?math\b.*?</(?:mml:)?math\s*>`)
	interTagSpaceRE = regexp.MustCompile(`>\s+<`)
	// jatsInlineRE are JATS inline elements without a prefix (PubMed, OpenAlex).
	jatsInlineRE2 = regexp.MustCompile(`</?(?:italic|bold|sc|scp|monospace|underline|inline-formula|named-content|ext-link|xref)(?:\s[^<>]*)?/?>`)
)

// jatsBlock are the JATS elements whose boundary is a word break.
var jatsBlock = map[string]bool{
	"p": true, "sec": true, "list": true, "list-item": true, "label": true, "caption": true,
	"table": true, "tr": true, "td": true, "th": true, "disp-formula": true, "break": true,
}

// markupText turns a scholarly string (plain, HTML, JATS or MathML, e.g. a
// Crossref abstract of <jats:p>s, a PubMed title with <mml:math>) into plain
// text: section titles become "Title: ", block elements word breaks, inline
// markup disappears and entities are decoded. Plain text with a literal "<"
// ("P<0.05") passes as text, as plaintext.FromTextOrHTML decides.
func markupText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return plaintext.Collapse(s)
	}
	s = jatsTitleRE.ReplaceAllStringFunc(s, func(m string) string {
		t := plaintext.FromHTML(stripNS(jatsTitleRE.FindStringSubmatch(m)[1]))
		if t == "" || strings.EqualFold(t, "abstract") {
			return " "
		}
		return " " + strings.TrimRight(t, ":.") + ": "
	})
	// A formula's letters are its elements' text: the indentation between
	// them is not a space ("V̇O2max", not "V . O 2 m a x").
	s = mathBlockRE.ReplaceAllStringFunc(s, func(m string) string { return interTagSpaceRE.ReplaceAllString(m, "><") })
	s = stripNS(s)
	s = mathRE.ReplaceAllString(s, "")
	s = jatsInlineRE2.ReplaceAllString(s, "")
	return plaintext.FromTextOrHTML(s)
}

// stripNS drops namespaced tags, leaving a space at a block boundary.
func stripNS(s string) string {
	return nsTagRE.ReplaceAllStringFunc(s, func(m string) string {
		if jatsBlock[nsTagRE.FindStringSubmatch(m)[2]] {
			return " "
		}
		return ""
	})
}

// maxUpstreamMessage bounds the upstream message an error carries (OpenAlex
// lists every valid filter field in its 400 message).
const maxUpstreamMessage = 300

// upstreamMessage is the message of an error body: the "message" (or "error")
// of a JSON body, the title of an HTML page, or the start of a text body;
// redacted and bounded, fit for /status. "" when the body says nothing.
func upstreamMessage(body []byte) string {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return ""
	}
	var msg string
	switch {
	case b[0] == '{':
		var doc struct {
			Error   json.RawMessage `json:"error"`
			Message json.RawMessage `json:"message"`
		}
		if json.Unmarshal(b, &doc) == nil {
			msg = jsonMessage(doc.Message)
			if e := jsonMessage(doc.Error); e != "" && !strings.Contains(msg, e) {
				msg = strings.TrimSpace(e + " " + msg)
			}
		}
	case b[0] == '<':
		if m := htmlTitleRE.FindSubmatch(b); m != nil {
			msg = plaintext.FromHTML(string(m[1]))
		} else {
			msg = plaintext.FromHTML(string(b))
		}
	default:
		msg = plaintext.Collapse(string(b))
	}
	msg = redact.Text(msg)
	if r := []rune(msg); len(r) > maxUpstreamMessage {
		msg = string(r[:maxUpstreamMessage]) + "…"
	}
	return msg
}

var htmlTitleRE = regexp.MustCompile(`(?is)<title>(.*?)</title>`)

// jsonMessage reads a message that is a string, an object with a "message",
// or a list of those (Crossref's validation failures).
func jsonMessage(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return plaintext.Collapse(s)
	}
	var one struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &one) == nil && one.Message != "" {
		return plaintext.Collapse(one.Message)
	}
	var list []struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &list) == nil {
		var parts []string
		for _, m := range list {
			if m.Message != "" {
				parts = append(parts, plaintext.Collapse(m.Message))
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

// withUpstreamMessage adds the message of an HTTP error's body to err.
func withUpstreamMessage(api string, err error, resp *fetch.Response) error {
	var he *fetch.HTTPError
	if errors.As(err, &he) && resp != nil {
		if m := upstreamMessage(resp.Body); m != "" {
			return fmt.Errorf("%w: %s says %q", err, api, m)
		}
	}
	return err
}

// contact is the configured address, else the one in the User-Agent.
func contact(configured, userAgent string) string {
	if configured != "" {
		return configured
	}
	return contactOf(userAgent)
}

// contactOf is the e-mail address in a User-Agent ("paperfeed (mailto:a@b.org)"),
// or "".
func contactOf(ua string) string {
	for _, f := range strings.FieldsFunc(ua, func(r rune) bool { return strings.ContainsRune(" ()<>;,", r) }) {
		f = strings.TrimPrefix(f, "mailto:")
		if a, err := mail.ParseAddress(f); err == nil && strings.Contains(a.Address, ".") {
			return a.Address
		}
	}
	return ""
}

// journalRef is "Journal 12(3), 45-67"; the parts missing are left out.
func journalRef(journal, volume, issue, page string) string {
	if journal == "" {
		return ""
	}
	ref := journal
	if v := plaintext.Collapse(volume); v != "" {
		ref += " " + v
		if i := plaintext.Collapse(issue); i != "" {
			ref += "(" + i + ")"
		}
	}
	if pg := plaintext.Collapse(page); pg != "" {
		ref += ", " + pg
	}
	return ref
}

// appendNew appends v unless list holds it.
func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
