package mail

import (
	"bytes"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// The plain-text part: what a text-only client shows, and what spam filters
// compare the HTML with. Every link is written out.
var textTmpl = texttemplate.Must(texttemplate.New("text").Funcs(texttemplate.FuncMap{"join": strings.Join, "inc": func(i int) int { return i + 1 }}).Parse(
	`{{.Subject}}
{{range .Sections}}
== {{.Title}} ({{len .Papers}}) ==
{{.PageURL}}
{{range $i, $p := .Papers}}
{{inc $i}}. {{$p.Title}}
{{- if $p.Authors}}
   {{$p.Authors}}{{end}}
{{- if $p.Sentence}}
   {{$p.Sentence}}{{end}}
   {{$p.PageURL}}
{{- if $p.ArXiv}}
   arXiv: {{$p.ArXiv}}{{end}}
{{- if $p.PDF}}
   PDF: {{$p.PDF}}{{end}}
{{- range $p.Code}}
   Code: {{.}}{{end}}
{{- if or $p.Upvotes $p.Sources}}
   {{if $p.Upvotes}}▲ {{$p.Upvotes}} upvotes{{if $p.Sources}} · {{end}}{{end}}{{if $p.Sources}}via {{join $p.Sources ", "}}{{end}}{{end}}
{{end}}{{end}}
-- 
The {{.Digest}} digest: papers first seen since its previous message.
To stop receiving it, write to {{.Unsubscribe}}
`))

// The HTML part is written for mail clients, not browsers: Gmail drops
// <style> blocks in many views and Outlook renders with Word's engine, so
// the layout is tables and every style is inline; no external CSS, fonts or
// images.
var htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Msg.Subject}}</title></head>
<body style="margin:0;padding:0;background-color:#f4f4f4;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f4f4;">
<tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:640px;background-color:#ffffff;border:1px solid #dddddd;">
<tr><td style="padding:16px 20px;border-bottom:2px solid #1a5fb4;font-family:Arial,Helvetica,sans-serif;font-size:20px;line-height:26px;color:#1b1b1b;">
<a href="{{.Site.BaseURL}}/" style="color:#1b1b1b;text-decoration:none;">{{.Site.Title}}</a> · {{.Msg.Digest}}<br>
<span style="font-size:14px;line-height:20px;color:#555555;">{{.Msg.Day}} · {{.Count}}</span>
</td></tr>
{{range .Msg.Sections}}<tr><td style="padding:16px 20px 4px 20px;font-family:Arial,Helvetica,sans-serif;font-size:17px;line-height:23px;font-weight:bold;color:#1b1b1b;">
<a href="{{.PageURL}}" style="color:#1b1b1b;text-decoration:none;">{{.Title}}</a> <span style="font-weight:normal;color:#555555;">({{len .Papers}})</span>
</td></tr>
{{range .Papers}}<tr><td style="padding:8px 20px 12px 20px;border-bottom:1px solid #eeeeee;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:20px;color:#1b1b1b;">
<a href="{{.PageURL}}" style="font-size:15px;font-weight:bold;color:#1a5fb4;text-decoration:none;">{{.Title}}</a>
{{if .Authors}}<br><span style="color:#555555;">{{.Authors}}</span>{{end}}
{{if .Sentence}}<br><span style="color:#1b1b1b;">{{.Sentence}}</span>{{end}}
<br><span style="font-size:13px;color:#555555;">{{if .ArXiv}}<a href="{{.ArXiv}}" style="color:#1a5fb4;">arXiv</a> · {{end}}{{if .PDF}}<a href="{{.PDF}}" style="color:#1a5fb4;">PDF</a> · {{end}}{{range .Code}}<a href="{{.}}" style="color:#1a5fb4;">Code</a> · {{end}}{{if .Upvotes}}▲ {{.Upvotes}} · {{end}}{{if .Sources}}via {{range $i, $s := .Sources}}{{if $i}}, {{end}}{{$s}}{{end}}{{end}}</span>
</td></tr>
{{end}}{{end}}<tr><td style="padding:16px 20px;font-family:Arial,Helvetica,sans-serif;font-size:12px;line-height:18px;color:#777777;">
The {{.Msg.Digest}} digest: papers first seen since its previous message. To stop receiving it, <a href="{{.Msg.Unsubscribe}}" style="color:#777777;">write to the sender</a>.
</td></tr>
</table>
</td></tr>
</table>
</body></html>
`))

func renderText(m *Message) (string, error) {
	var b bytes.Buffer
	if err := textTmpl.Execute(&b, m); err != nil {
		return "", err
	}
	return b.String(), nil
}

func renderHTML(m *Message, site Site) (string, error) {
	var b bytes.Buffer
	err := htmlTmpl.Execute(&b, struct {
		Msg   *Message
		Site  Site
		Count string
	}{m, site, plural(m.Papers(), "new paper")})
	if err != nil {
		return "", err
	}
	return b.String(), nil
}
