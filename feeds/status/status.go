// Package status serves the operator's view: /status (HTML and ?format=json)
// with each source's health, and /metrics in Prometheus text format.
//
// /status is served on the public listener: every URL and message it shows is
// redacted (package redact), and it never shows upstream body bytes (the
// collector stores error messages without them; the log has them).
package status

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/paperfeed/paperfeed/aggregator/config"
	"github.com/paperfeed/paperfeed/aggregator/likefile"
	"github.com/paperfeed/paperfeed/aggregator/redact"
	"github.com/paperfeed/paperfeed/aggregator/sources"
	"github.com/paperfeed/paperfeed/aggregator/topic"
	"github.com/paperfeed/paperfeed/db"
	"github.com/paperfeed/paperfeed/feeds"
)

// Source is one row of /status.
type Source struct {
	Name        string     `json:"name"`
	Type        string     `json:"type"`
	Interval    string     `json:"interval"`
	Health      string     `json:"health"` // ok, failing, pending
	LastAttempt *time.Time `json:"last_attempt"`
	LastSuccess *time.Time `json:"last_success"`
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at"`
	Failures    int        `json:"consecutive_failures"`
	NextCheck   *time.Time `json:"next_check"`
	Papers      int64      `json:"papers"`
	LastPass    string     `json:"last_pass,omitempty"`
	// HTTPCache lists, per upstream URL (redacted), the validators sent on the next request.
	HTTPCache map[string]sources.Validators `json:"http_cache"`
}

// Lease is one current lease of /status: which replica does a job now.
type Lease struct {
	Name    string    `json:"name"`
	Holder  string    `json:"holder"`
	Since   time.Time `json:"since"`
	Expires time.Time `json:"expires"`
	Mine    bool      `json:"this_replica"` // held by the replica serving the page
}

// Hub is one WebSub hub of /status: how its announcements fared, as the
// store records them (whichever replica announced).
type Hub struct {
	URL    string `json:"url"`
	Health string `json:"health"` // ok, failing (its last answer for some feed was an error), pending
	// Feeds counts the feed URLs announced to it; Failing those whose last
	// announcement failed.
	Feeds       int        `json:"feeds"`
	Failing     int        `json:"failing"`
	LastPublish *time.Time `json:"last_publish"` // the last announcement it accepted
	LastURL     string     `json:"last_publish_url,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at"`
	ErrorURL    string     `json:"last_error_url,omitempty"`
}

// LikeTopic is a like-topic of /status and its exemplars that cannot be
// found.
type LikeTopic struct {
	Name     string                  `json:"name"`
	NotFound []topic.ExemplarProblem `json:"exemplars_not_found"`
}

// Report is the whole /status document.
type Report struct {
	Generated  time.Time   `json:"generated"`
	Replica    string      `json:"replica"` // this process's holder name in the leases
	Papers     int64       `json:"papers"`
	Sightings  int64       `json:"sightings"`
	Generation int64       `json:"store_generation"`
	Sources    []Source    `json:"sources"`
	Hubs       []Hub       `json:"websub_hubs"`
	Leases     []Lease     `json:"leases"`
	LikeTopics []LikeTopic `json:"like_topics"`
	Digests    []Digest    `json:"digests"`
}

// Handler serves /status.
type Handler struct {
	cfg     *config.Config
	store   db.Store
	replica string
	now     func() time.Time
	// likeFiles are the like-topics' like_files as last read (re-read
	// when changed), whose exemplars it reports on.
	likeFiles *likefile.Cache
}

// New returns the /status handler; replica is the holder name this process
// claims leases under, now is the program's clock (nil: time.Now).
func New(cfg *config.Config, store db.Store, replica string, now func() time.Time) *Handler {
	if now == nil {
		now = time.Now
	}
	return &Handler{cfg: cfg, store: store, replica: replica, now: now, likeFiles: likefile.NewCache()}
}

// Build assembles the report.
func (h *Handler) Build(ctx context.Context) (*Report, error) {
	states, err := h.store.SourceStates(ctx)
	if err != nil {
		return nil, err
	}
	stats, err := h.store.Stats(ctx)
	if err != nil {
		return nil, err
	}
	gen, err := h.store.Generation(ctx)
	if err != nil {
		return nil, err
	}
	leases, err := h.store.Leases(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Generated: h.now().UTC(), Replica: h.replica, Papers: stats.Papers, Sightings: stats.Sightings, Generation: gen,
		Leases: []Lease{}}
	if rep.Hubs, err = h.hubs(ctx); err != nil {
		return nil, err
	}
	for _, l := range leases {
		rep.Leases = append(rep.Leases, Lease{Name: l.Name, Holder: l.Holder, Since: l.Since.UTC(), Expires: l.Expires.UTC(), Mine: l.Holder == h.replica})
	}
	if rep.Digests, err = h.digests(ctx, h.now()); err != nil {
		return nil, err
	}
	for _, sc := range h.cfg.Sources {
		st := states[sc.Name]
		row := Source{
			Name: sc.Name, Type: sc.Type, Interval: shortDuration(h.cfg.Interval(sc)),
			LastAttempt: ptr(st.LastAttempt), LastSuccess: ptr(st.LastSuccess),
			// Stored messages are redacted when recorded; redacting again covers
			// rows recorded by a version of paperfeed that did not.
			LastError: redact.Text(st.LastError), LastErrorAt: ptr(st.LastErrorAt), Failures: st.Failures,
			NextCheck: ptr(st.NextCheck), Papers: st.Papers, LastPass: redact.Text(st.LastSummary),
			HTTPCache: map[string]sources.Validators{},
		}
		var ss sources.State
		if len(st.State) > 0 && json.Unmarshal(st.State, &ss) == nil {
			for u, v := range ss.Validators {
				row.HTTPCache[redact.URL(u)] = v
			}
		}
		switch {
		case st.LastAttempt.IsZero(), st.LastSuccess.IsZero() && st.Failures == 0:
			// Never ran, or its first pass is running (or died unfinished):
			// the attempt is recorded before anything is fetched.
			row.Health = "pending"
		case st.Failures > 0:
			row.Health = "failing"
		default:
			row.Health = "ok"
		}
		rep.Sources = append(rep.Sources, row)
	}
	rep.LikeTopics = []LikeTopic{}
	for _, t := range h.cfg.Topics {
		if !t.IsLike() {
			continue
		}
		probs, err := topic.ExemplarProblems(ctx, h.likeFiles, h.store, t)
		if err != nil {
			return nil, fmt.Errorf("topic %q exemplars: %w", t.Name, err)
		}
		lt := LikeTopic{Name: t.Name, NotFound: []topic.ExemplarProblem{}}
		for _, p := range probs {
			lt.NotFound = append(lt.NotFound, topic.ExemplarProblem{Entry: redact.Text(p.Entry), Reason: redact.Text(p.Reason)})
		}
		rep.LikeTopics = append(rep.LikeTopics, lt)
	}
	return rep, nil
}

// hubs summarises the store's WebSub records per configured hub.
func (h *Handler) hubs(ctx context.Context) ([]Hub, error) {
	out := []Hub{}
	if len(h.cfg.Server.WebSubHubs) == 0 {
		return out, nil
	}
	states, err := h.store.WebSubStates(ctx)
	if err != nil {
		return nil, err
	}
	for _, url := range h.cfg.Server.WebSubHubs {
		hub := Hub{URL: url}
		var lastOK, lastErr time.Time
		for _, st := range states {
			if st.Hub != url {
				continue
			}
			hub.Feeds++
			if st.LastErrorAt.After(st.LastSuccess) {
				hub.Failing++
			}
			if st.LastSuccess.After(lastOK) {
				lastOK, hub.LastURL = st.LastSuccess, st.URL
			}
			if st.LastErrorAt.After(lastErr) {
				lastErr, hub.ErrorURL = st.LastErrorAt, st.URL
				hub.LastError = redact.Text(st.LastError)
			}
		}
		hub.LastPublish, hub.LastErrorAt = ptr(lastOK), ptr(lastErr)
		switch {
		case hub.Feeds == 0:
			hub.Health = "pending"
		case hub.Failing > 0:
			hub.Health = "failing"
		default:
			hub.Health = "ok"
		}
		out = append(out, hub)
	}
	return out, nil
}

// shortDuration writes 6h0m0s as 6h and 1h30m0s as 1h30m.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func ptr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", feeds.PageCSP)
	hdr.Set("Referrer-Policy", feeds.PageReferrerPolicy)
	rep, err := h.Build(r.Context())
	if err != nil {
		http.Error(w, "status unavailable: "+redact.Text(err.Error()), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	if r.URL.Query().Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(rep)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := page.Execute(w, struct {
		Title string
		*Report
	}{h.cfg.Server.Title, rep}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

var page = template.Must(template.New("status").Funcs(template.FuncMap{
	"when": func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.Format("2006-01-02 15:04:05 UTC")
	},
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Status · {{.Title}}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
.ok{color:#17612e}.failing{color:#a4161a;font-weight:600}.pending{color:#666}.err{color:#a4161a;word-break:break-word}
code{font-size:.85em;word-break:break-all}
@media(max-width:700px){thead{display:none}table,tbody,tr,td{display:block;width:100%}tr{border-bottom:2px solid #bbb;padding:.25rem 0}td{display:grid;grid-template-columns:7.5rem minmax(0,1fr);gap:.5rem;border-bottom:0;padding:.2rem 0;overflow-wrap:anywhere}td::before{content:attr(data-label);color:#555;font-size:.85em;padding-top:.1rem}td>*{min-width:0}}
</style></head><body>
<h1>Status</h1>
<p>{{.Papers}} papers, {{.Sightings}} listings, store generation {{.Generation}}. Generated {{.Generated.Format "2006-01-02 15:04:05 UTC"}}.</p>
<p>This replica: <code>{{.Replica}}</code>.</p>
<p><a href="?format=json">JSON</a> · <a href="/metrics">metrics</a> · <a href="/">topics</a></p>
<table><thead><tr><th>Source</th><th>Health</th><th>Last pass</th><th>Last success</th><th>Last error</th><th>Next check</th><th>Papers</th><th>HTTP cache</th></tr></thead><tbody>
{{range .Sources}}<tr>
<td data-label="Source"><span><strong>{{.Name}}</strong><br><small>{{.Type}}, every {{.Interval}}</small></span></td>
<td data-label="Health"><span class="{{.Health}}">{{.Health}}{{if .Failures}} ({{.Failures}} in a row){{end}}</span></td>
<td data-label="Last pass"><span>{{when .LastAttempt}}{{if .LastPass}}<br><small>{{.LastPass}}</small>{{end}}</span></td>
<td data-label="Last success"><span>{{when .LastSuccess}}</span></td>
<td data-label="Last error"><span>{{if .LastError}}<span class="err">{{.LastError}}</span><br><small>{{when .LastErrorAt}}</small>{{else}}none{{end}}</span></td>
<td data-label="Next check"><span>{{when .NextCheck}}</span></td>
<td data-label="Papers"><span>{{.Papers}}</span></td>
<td data-label="HTTP cache"><span>{{range $u, $v := .HTTPCache}}<code>{{$u}}</code>{{if $v.ETag}} ETag {{$v.ETag}}{{end}}{{if $v.LastModified}} Last-Modified {{$v.LastModified}}{{end}}<br>{{else}}none{{end}}</span></td>
</tr>{{end}}
</tbody></table>
{{if .Hubs}}<h2>WebSub hubs</h2>
<table><thead><tr><th>Hub</th><th>Health</th><th>Last publish</th><th>Last error</th></tr></thead><tbody>
{{range .Hubs}}<tr>
<td data-label="Hub"><span><code>{{.URL}}</code><br><small>{{.Feeds}} feed URL{{if ne .Feeds 1}}s{{end}}{{if .Failing}}, {{.Failing}} failing{{end}}</small></span></td>
<td data-label="Health"><span class="{{.Health}}">{{.Health}}</span></td>
<td data-label="Last publish"><span>{{when .LastPublish}}{{if .LastURL}}<br><small><code>{{.LastURL}}</code></small>{{end}}</span></td>
<td data-label="Last error"><span>{{if .LastError}}<span class="err">{{.LastError}}</span><br><small>{{when .LastErrorAt}} · <code>{{.ErrorURL}}</code></small>{{else}}none{{end}}</span></td>
</tr>{{end}}
</tbody></table>{{end}}
<h2>Leases</h2>
{{if .Leases}}<table><thead><tr><th>Lease</th><th>Holder</th><th>Since</th><th>Expires</th></tr></thead><tbody>
{{range .Leases}}<tr>
<td data-label="Lease"><span><code>{{.Name}}</code></span></td>
<td data-label="Holder"><span><code>{{.Holder}}</code>{{if .Mine}} <small>(this replica)</small>{{end}}</span></td>
<td data-label="Since"><span>{{.Since.Format "2006-01-02 15:04:05 UTC"}}</span></td>
<td data-label="Expires"><span>{{.Expires.Format "2006-01-02 15:04:05 UTC"}}</span></td>
</tr>{{end}}
</tbody></table>{{else}}<p>No replica holds a lease now.</p>{{end}}
{{with .LikeTopics}}<h2>Like-topic exemplars not found</h2>
<table><thead><tr><th>Topic</th><th>Exemplar</th><th>Why</th></tr></thead><tbody>
{{range .}}{{$t := .Name}}{{range .NotFound}}<tr>
<td data-label="Topic"><span><strong>{{$t}}</strong></span></td>
<td data-label="Exemplar"><span><code>{{.Entry}}</code></span></td>
<td data-label="Why"><span class="err">{{.Reason}}</span></td>
</tr>{{else}}<tr><td data-label="Topic"><span><strong>{{$t}}</strong></span></td><td data-label="Exemplar"><span>all found or still to fetch</span></td><td data-label="Why"><span></span></td></tr>{{end}}{{end}}
</tbody></table>{{end}}
{{if .Digests}}<h2>Email digests</h2>
<table><thead><tr><th>Digest</th><th>Health</th><th>Slot</th><th>Last sent</th><th>Next send</th><th>Last error</th></tr></thead><tbody>
{{range .Digests}}<tr>
<td data-label="Digest"><span><strong>{{.Name}}</strong><br><small>{{.Schedule}}, {{.Recipients}} recipient{{if ne .Recipients 1}}s{{end}}</small></span></td>
<td data-label="Health"><span class="{{.Health}}">{{.Health}}{{if .Attempts}} ({{.Attempts}} failed attempts){{end}}</span></td>
<td data-label="Slot"><span>{{.Slot}}</span></td>
<td data-label="Last sent"><span>{{when .LastSent}}</span></td>
<td data-label="Next send"><span>{{.NextSend.Format "2006-01-02 15:04:05 UTC"}}</span></td>
<td data-label="Last error"><span>{{if .LastError}}<span class="err">{{.LastError}}</span><br><small>{{when .ErrorAt}}; retried from {{when .RetryAt}}</small>{{else}}none{{end}}</span></td>
</tr>{{end}}
</tbody></table>{{end}}
</body></html>
`))
