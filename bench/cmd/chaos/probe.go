package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// probe adds one item to each of -sources at once, polls every replica's
// -feed until each lists it, and prints, per item, how long after the
// upstream first served it the first and the last replica served it.
func probe(args []string) error {
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	up := fs.String("upstream", "http://127.0.0.1:19100", "the chaos upstream")
	reps := fs.String("replicas", "", "comma-separated base URLs of the replicas")
	srcs := fs.String("sources", "", "comma-separated source names: one new item each")
	feed := fs.String("feed", "/topics/probe.atom", "the feed polled on each replica")
	every := fs.Duration("every", 50*time.Millisecond, "poll period")
	timeout := fs.Duration("timeout", 3*time.Minute, "give up after")
	fs.Parse(args)
	replicas := strings.Split(*reps, ",")
	type probeItem struct {
		source, guid, title string
		added, served       time.Time
		seen                []time.Time // per replica
	}
	var items []*probeItem
	for _, s := range strings.Split(*srcs, ",") {
		var a struct {
			GUID  string    `json:"guid"`
			Title string    `json:"title"`
			Added time.Time `json:"added"`
		}
		resp, err := http.Post(*up+"/control/add?source="+url.QueryEscape(s), "", nil)
		if err != nil {
			return err
		}
		err = decodeJSON(resp, &a)
		if err != nil {
			return fmt.Errorf("add to %s: %w", s, err)
		}
		items = append(items, &probeItem{source: s, guid: a.GUID, title: esc(a.Title), added: a.Added, seen: make([]time.Time, len(replicas))})
	}
	deadline := time.Now().Add(*timeout)
	var wg sync.WaitGroup
	var mu sync.Mutex
	for ri, base := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				body, err := get(base + *feed)
				now := time.Now()
				left := 0
				mu.Lock()
				for _, it := range items {
					if it.seen[ri].IsZero() && err == nil && strings.Contains(body, it.title) {
						it.seen[ri] = now
					}
					if it.seen[ri].IsZero() {
						left++
					}
				}
				mu.Unlock()
				if left == 0 {
					return
				}
				time.Sleep(*every)
			}
		}()
	}
	wg.Wait()
	var spreads, lags []float64
	for _, it := range items {
		var s struct {
			Served time.Time `json:"served"`
		}
		if err := getJSON(*up+"/control/served?guid="+url.QueryEscape(it.guid), &s); err != nil {
			fmt.Printf("probe %-4s %s: never served (%v)\n", it.source, it.guid, err)
			continue
		}
		it.served = s.Served
		first, last := it.seen[0], it.seen[0]
		missing := 0
		for _, t := range it.seen {
			if t.IsZero() {
				missing++
				continue
			}
			if first.IsZero() || t.Before(first) {
				first = t
			}
			if t.After(last) {
				last = t
			}
		}
		if missing > 0 {
			fmt.Printf("probe %-4s %s: %d replicas never served it within %s\n", it.source, it.guid, missing, *timeout)
			continue
		}
		lag, spread := last.Sub(it.served).Seconds(), last.Sub(first).Seconds()
		lags, spreads = append(lags, lag), append(spreads, spread)
		fmt.Printf("probe %-4s added→fetched %5.1fs  fetched→first replica %5.2fs  fetched→every replica %5.2fs  first→last replica %5.2fs\n",
			it.source, it.served.Sub(it.added).Seconds(), first.Sub(it.served).Seconds(), lag, spread)
	}
	if len(lags) == 0 {
		return errors.New("no probe item was served by every replica")
	}
	fmt.Printf("probes: %d of %d; fetched→every replica max %.2fs (median %.2fs); first→last replica max %.2fs\n",
		len(lags), len(items), slices.Max(lags), median(lags), slices.Max(spreads))
	return nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func get(u string) (string, error) {
	resp, err := http.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return string(b), err
}

func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s", resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
