// Package config reads paperfeed's TOML configuration: Default, then Parse, then
// Validate, each error naming the file and the line:column or the offending value.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "time/tzdata" // time zones by name, on hosts without a zoneinfo database

	"github.com/pelletier/go-toml/v2"

	"github.com/paperfeed/paperfeed/aggregator/redact"
)

// Config is the whole configuration file.
type Config struct {
	Server  Server   `toml:"server"`
	Storage Storage  `toml:"storage"`
	Collect Collect  `toml:"collect"`
	Sources []Source `toml:"source"`
	Topics  []Topic  `toml:"topic"`
	// Mail is the SMTP server digests go through; nil when the file has no [mail].
	Mail    *Mail    `toml:"mail"`
	Digests []Digest `toml:"digest"`

	// Path is the file the config was read from ("" when parsed from a reader).
	Path string `toml:"-"`
}

// Server is the [server] table.
type Server struct {
	Listen  string `toml:"listen"`
	BaseURL string `toml:"base_url"`
	// Title names the site on the HTML index and in the OPML head.
	Title string `toml:"title"`
	// Timezone is the IANA zone digest days and weeks run in (default UTC).
	Timezone string `toml:"timezone"`
	// Location is Timezone loaded by Validate.
	Location *time.Location `toml:"-"`
	// WebSubHubs are the WebSub hubs every published feed names (rel="hub")
	// and is announced to when its content changes (see feeds/websub).
	WebSubHubs []string `toml:"websub_hubs"`
}

// Storage is the [storage] table.
type Storage struct {
	// Path of the SQLite database; relative paths are resolved against the config file's folder.
	Path string `toml:"path"`
	// URL of a PostgreSQL database (postgres://...); when set it is the store
	// and Path is unused. Its password comes from the URL, PGPASSWORD,
	// ~/.pgpass or PasswordFile.
	URL          string `toml:"url"`
	PasswordFile string `toml:"password_file"`
}

// Backend names the configured store for people: "PostgreSQL" and the URL
// without its password, or "SQLite" and the path.
func (s Storage) Backend() string {
	if s.URL != "" {
		return "PostgreSQL " + redact.URL(s.URL)
	}
	return "SQLite " + s.Path
}

// Collect is the [collect] table.
type Collect struct {
	Interval  Duration `toml:"interval"`
	Timeout   Duration `toml:"timeout"`
	UserAgent string   `toml:"user_agent"`
	// MaxBodyBytes caps every upstream response body.
	MaxBodyBytes int64 `toml:"max_body_bytes"`
	// Workers bounds how many sources are collected at once.
	Workers int `toml:"workers"`
	// ArxivAPIURL is the arXiv query API that completes papers known by an
	// arXiv id but listed without categories; "" turns completion off.
	ArxivAPIURL string `toml:"arxiv_api_url"`
}

// Topic is one [[topic]] entry: a published feed.
type Topic struct {
	Name        string   `toml:"name"`
	Title       string   `toml:"title"`
	Description string   `toml:"description"`
	Query       string   `toml:"query"`   // query (db/query) over title, abstract, authors
	Exclude     string   `toml:"exclude"` // query; matching papers are left out
	Sources     []string `toml:"sources"`
	Categories  []string `toml:"categories"`
	MinUpvotes  int      `toml:"min_upvotes"`
	Since       Duration `toml:"since"`  // only papers published within this age (DefaultTopicSince when unset)
	Window      Duration `toml:"window"` // every paper of this age is kept, up to Cap
	Cap         int      `toml:"cap"`
	Limit       int      `toml:"limit"` // at least this many papers, however old
	Sort        string   `toml:"sort"`  // "newest", "trending" or "relevance" (needs like)
	// Like are the topic's exemplar papers (arXiv ids or DOIs); a topic with
	// exemplars ranks its candidates by a model trained on them.
	Like []string `toml:"like"`
	// LikeFile is a reference manager's export (BibTeX, CSL-JSON) or a text
	// file of ids whose papers join Like; relative to the config file's
	// folder, resolved by Validate.
	LikeFile string `toml:"like_file"`
	// Unlike are papers the topic must not resemble: the model's explicit negatives.
	Unlike []string `toml:"unlike"`
	// MinScore drops candidates the model scores below it; nil: the model's default.
	MinScore *float64 `toml:"min_score"`
}

// IsLike reports whether t ranks by a model of exemplar papers.
func (t Topic) IsLike() bool { return len(t.Like) > 0 || t.LikeFile != "" }

// Defaults.
const (
	DefaultListen       = "127.0.0.1:8080"
	DefaultStoragePath  = "paperfeed.db"
	DefaultInterval     = time.Hour
	DefaultTimeout      = 30 * time.Second
	DefaultMaxBodyBytes = 20 << 20
	DefaultWorkers      = 4
	DefaultArxivAPIURL  = "https://export.arxiv.org/api/query"
	DefaultTopicLimit   = 50
	DefaultTopicCap     = 500
	DefaultTopicWindow  = 72 * time.Hour
	// DefaultTopicSince keeps a topic a feed of new papers: a backfill of old
	// papers (an arXiv API backfill, a journal's archive) stays in the store
	// for search but never fills a topic's limit.
	DefaultTopicSince = 60 * 24 * time.Hour
	MaxTopicLimit     = 500
	AllTopic          = "all"
	Version           = "0.1.0"
)

// DefaultUserAgent identifies paperfeed to upstreams.
const DefaultUserAgent = "paperfeed/" + Version + " (+https://github.com/paperfeed/paperfeed)"

// Default returns a configuration with every default filled in and no sources.
func Default() *Config {
	return &Config{
		Server:  Server{Listen: DefaultListen, Title: "paperfeed"},
		Storage: Storage{Path: DefaultStoragePath},
		Collect: Collect{
			Interval:     Duration(DefaultInterval),
			Timeout:      Duration(DefaultTimeout),
			UserAgent:    DefaultUserAgent,
			MaxBodyBytes: DefaultMaxBodyBytes,
			Workers:      DefaultWorkers,
			ArxivAPIURL:  DefaultArxivAPIURL,
		},
	}
}

// Load reads, parses and validates the file at path.
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	c := Default()
	c.Path = path
	if err := c.Parse(f); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Parse decodes TOML from r over the values already in c, strictly: unknown keys
// and wrong types are errors with line and column.
func (c *Config) Parse(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read config: %w", err)
	}
	dec := toml.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return c.wrapDecodeError(data, err)
	}
	if err := c.checkExemplars(data); err != nil {
		return err
	}
	if err := c.checkHubs(data); err != nil {
		return err
	}
	return c.checkMail(data)
}

func (c *Config) fileName() string {
	if c.Path == "" {
		return "config"
	}
	return c.Path
}

func (c *Config) wrapDecodeError(data []byte, err error) error {
	var se *toml.StrictMissingError
	if errors.As(err, &se) && len(se.Errors) > 0 {
		var msgs []string
		first := se.Errors[0]
		row, col := first.Position()
		for _, e := range se.Errors {
			msg := "unknown key " + strings.Join(e.Key(), ".")
			r, _ := e.Position()
			if s := suggestKey(data, e.Key(), r); s != "" {
				msg += fmt.Sprintf(" (did you mean `%s`?)", s)
			}
			msgs = append(msgs, msg)
		}
		return &PositionError{File: c.fileName(), Line: row, Column: col, Msg: strings.Join(msgs, "; ")}
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		row, col := de.Position()
		return &PositionError{File: c.fileName(), Line: row, Column: col, Msg: de.Error()}
	}
	return fmt.Errorf("%s: %w", c.fileName(), err)
}

// PositionError is a syntax, type or unknown-key error at a place in the file.
type PositionError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *PositionError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// ValidationError lists every problem Validate found; each names the offending entry and value.
type ValidationError struct {
	File     string
	Problems []string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%s: invalid config:\n  %s", e.File, strings.Join(e.Problems, "\n  "))
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Validate checks values that TOML types cannot, fills per-entry defaults and adds
// the "all" topic when the file defines none. It does not check FTS5 syntax:
// topic.Check does, once, with the engine's checker, since only the engine knows the dialect.
func (c *Config) Validate() error {
	var probs []string
	add := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }

	if c.Server.Listen == "" {
		c.Server.Listen = DefaultListen
	}
	if _, _, err := net.SplitHostPort(c.Server.Listen); err != nil {
		add("[server] listen = %q: %v", c.Server.Listen, err)
	}
	if c.Server.BaseURL == "" {
		c.Server.BaseURL = "http://" + c.Server.Listen
	}
	if u, err := url.Parse(c.Server.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("[server] base_url = %q: want an absolute http(s) URL", c.Server.BaseURL)
	}
	c.Server.BaseURL = strings.TrimRight(c.Server.BaseURL, "/")
	if c.Server.Title == "" {
		c.Server.Title = "paperfeed"
	}
	if u := c.Storage.URL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		add("[storage] url = %q: want a postgres:// URL", redact.URL(u))
	}
	if c.Storage.PasswordFile != "" && c.Storage.URL == "" {
		add("[storage] password_file is set without a url")
	}
	seenHubs := map[string]bool{}
	for _, h := range c.Server.WebSubHubs {
		if p := hubProblem(h, seenHubs); p != "" {
			add("[server] websub_hubs: %s", p)
		}
	}
	c.Server.Location = time.UTC
	if c.Server.Timezone != "" {
		if loc, err := time.LoadLocation(c.Server.Timezone); err != nil {
			add("[server] timezone = %q: want an IANA time zone such as \"Europe/Berlin\"", c.Server.Timezone)
		} else {
			c.Server.Location = loc
		}
	}
	if c.Storage.Path == "" {
		add("[storage] path is empty")
	}
	if c.Collect.Interval <= 0 {
		add("[collect] interval = %q: must be positive", c.Collect.Interval)
	}
	if c.Collect.Timeout <= 0 {
		add("[collect] timeout = %q: must be positive", c.Collect.Timeout)
	}
	if c.Collect.UserAgent == "" {
		c.Collect.UserAgent = DefaultUserAgent
	}
	if c.Collect.MaxBodyBytes <= 0 {
		add("[collect] max_body_bytes = %d: must be positive", c.Collect.MaxBodyBytes)
	}
	if c.Collect.Workers <= 0 {
		add("[collect] workers = %d: must be positive", c.Collect.Workers)
	}
	if a := c.Collect.ArxivAPIURL; a != "" {
		if u, err := url.Parse(a); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("[collect] arxiv_api_url = %q: want an absolute http(s) URL, or \"\" for no category completion", a)
		}
	}

	names := map[string]bool{}
	for i := range c.Sources {
		s := &c.Sources[i]
		where := fmt.Sprintf("[[source]] #%d", i+1)
		if s.Name != "" {
			where = fmt.Sprintf("[[source]] %q", s.Name)
		}
		switch {
		case s.Name == "":
			add("%s: name is required", where)
		case !slugRE.MatchString(s.Name):
			add("%s: name must be a slug (a-z, 0-9, '.', '_', '-')", where)
		case names[s.Name]:
			add("%s: duplicate source name", where)
		}
		names[s.Name] = true
		if s.Interval < 0 {
			add("%s: interval = %q: must be positive", where, s.Interval)
		}
		for _, p := range s.Check() {
			add("%s: %s", where, p)
		}
	}

	topics := map[string]bool{}
	for i := range c.Topics {
		t := &c.Topics[i]
		where := fmt.Sprintf("[[topic]] #%d", i+1)
		if t.Name != "" {
			where = fmt.Sprintf("[[topic]] %q", t.Name)
		}
		switch {
		case t.Name == "":
			add("%s: name is required", where)
		case !slugRE.MatchString(t.Name) || strings.Contains(t.Name, ".."):
			add("%s: name must be a slug (a-z, 0-9, '.', '_', '-')", where)
		case topics[t.Name]:
			add("%s: duplicate topic name", where)
		}
		topics[t.Name] = true
		for _, src := range t.Sources {
			if !names[src] {
				add("%s: sources: unknown source %q", where, src)
			}
		}
		fillTopic(t)
		if t.Limit < 1 || t.Limit > MaxTopicLimit {
			add("%s: limit = %d: want 1..%d", where, t.Limit, MaxTopicLimit)
		}
		if t.Cap < t.Limit {
			add("%s: cap = %d: must be at least limit (%d)", where, t.Cap, t.Limit)
		}
		switch t.Sort {
		case "newest", "trending":
		case "relevance":
			if !t.IsLike() {
				add("%s: sort = \"relevance\" needs like or like_file (the exemplar papers to rank by)", where)
			}
		default:
			add("%s: sort = %q: want \"newest\", \"trending\" or \"relevance\"", where, t.Sort)
		}
		if t.MinScore != nil && (math.IsNaN(*t.MinScore) || math.IsInf(*t.MinScore, 0)) {
			add("%s: min_score = %v: want a finite number", where, *t.MinScore)
		}
		if t.MinScore != nil && !t.IsLike() {
			add("%s: min_score needs like or like_file (it bounds the model's score)", where)
		}
		if t.LikeFile != "" {
			if p := c.checkLikeFile(t); p != "" {
				add("%s: %s", where, p)
			}
		}
		if t.MinUpvotes < 0 {
			add("%s: min_upvotes = %d: must not be negative", where, t.MinUpvotes)
		}
		if t.Since < 0 || t.Window < 0 {
			add("%s: since and window must not be negative", where)
		}
	}
	for _, p := range c.resolveMail() {
		add("%s", p.msg)
	}
	if !topics[AllTopic] {
		all := Topic{Name: AllTopic, Title: "All papers", Description: "Every paper collected, newest first."}
		fillTopic(&all)
		c.Topics = append(c.Topics, all)
	}
	if len(probs) > 0 {
		return &ValidationError{File: c.fileName(), Problems: probs}
	}
	return nil
}

func fillTopic(t *Topic) {
	if t.Title == "" {
		t.Title = t.Name
	}
	if t.Limit == 0 {
		t.Limit = DefaultTopicLimit
	}
	if t.Cap == 0 {
		t.Cap = DefaultTopicCap
		if t.Cap < t.Limit {
			t.Cap = t.Limit
		}
	}
	if t.Since == 0 {
		t.Since = Duration(DefaultTopicSince)
	}
	if t.Sort == "" {
		t.Sort = "newest"
	}
	// A relevance topic without a window holds the limit best of all its
	// candidates, not the newest.
	if t.Window == 0 && t.Sort != "relevance" {
		t.Window = Duration(DefaultTopicWindow)
	}
}

// Interval returns the source's collect interval, falling back to [collect].interval.
func (c *Config) Interval(s Source) time.Duration {
	if s.Interval > 0 {
		return time.Duration(s.Interval)
	}
	return time.Duration(c.Collect.Interval)
}

// Topic returns the named topic.
func (c *Config) Topic(name string) (Topic, bool) {
	for _, t := range c.Topics {
		if t.Name == name {
			return t, true
		}
	}
	return Topic{}, false
}

// Duration is a time.Duration written in TOML as a string: Go syntax ("90m", "1h30m")
// or a whole number of days ("3d").
type Duration time.Duration

// UnmarshalText parses "30s", "6h", "3d".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration in Go syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// String writes d as a config file would: whole days as "60d", else the Go
// duration without zero units ("6h", "1h30m").
func (d Duration) String() string {
	td := time.Duration(d)
	if day := 24 * time.Hour; td > 0 && td%day == 0 {
		return strconv.FormatInt(int64(td/day), 10) + "d"
	}
	out := td.String()
	if strings.HasSuffix(out, "m0s") {
		out = strings.TrimSuffix(out, "0s")
	}
	if strings.HasSuffix(out, "h0m") {
		out = strings.TrimSuffix(out, "0m")
	}
	return out
}

// ParseDuration accepts Go durations and "Nd" for N days.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 {
			return 0, fmt.Errorf("bad duration %q: want e.g. \"3d\", \"6h\", \"90m\"", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("bad duration %q: want e.g. \"3d\", \"6h\", \"90m\"", s)
	}
	return v, nil
}

// Zone is the [server] time zone: Location, or UTC before Validate loaded it.
func (s Server) Zone() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}
