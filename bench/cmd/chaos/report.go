package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// jitterFloor is the shortest gap the scheduler leaves between two passes
// of a source: its interval less the 10 % jitter (aggregator.jitter).
const jitterFloor = 0.9

// report reads the upstream's fetch log, the killer's log and the store's
// sightings (lines "source guid") and prints fetches per replica, every
// source fetched again inside its interval, and the papers lost.
func report(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	logPath := fs.String("log", "fetches.jsonl", "the upstream's fetch log")
	killsPath := fs.String("kills", "kills.jsonl", "the killer's log")
	srcs := fs.String("sources", "", "name=interval,...")
	storePath := fs.String("store", "sightings.txt", "the store's sightings: one \"source guid\" a line")
	fs.Parse(args)
	specs, err := parseSources(*srcs)
	if err != nil {
		return err
	}
	fetches, err := readJSONLines[fetch](*logPath)
	if err != nil {
		return err
	}
	kills, err := readJSONLines[killed](*killsPath)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	stored := map[string]bool{}
	if err := readLines(*storePath, func(b []byte) error {
		stored[strings.TrimSpace(string(b))] = true
		return nil
	}); err != nil {
		return err
	}
	sort.Slice(fetches, func(i, j int) bool { return fetches[i].Start.Before(fetches[j].Start) })

	// The pass a kill cut: the victim's last fetch of the source that started before it.
	cut := map[int]bool{}
	for _, k := range kills {
		at := -1
		for i, f := range fetches {
			if f.Replica == k.Replica && f.Source == k.Source && !f.Start.After(k.At) {
				at = i
			}
		}
		if at >= 0 {
			cut[at] = true
		}
	}

	perReplica := map[string]int{}
	for _, f := range fetches {
		perReplica[f.Replica]++
	}
	var reps []string
	for r := range perReplica {
		reps = append(reps, r)
	}
	sort.Strings(reps)
	fmt.Printf("fetches: %d (", len(fetches))
	for i, r := range reps {
		if i > 0 {
			fmt.Print(", ")
		}
		fmt.Printf("%s %d", r, perReplica[r])
	}
	fmt.Printf("); kills: %d, each cutting a pass in flight: %d\n", len(kills), len(cut))

	doubles, overlaps := 0, 0
	for _, sp := range specs {
		var idx []int
		for i, f := range fetches {
			if f.Source == sp.name {
				idx = append(idx, i)
			}
		}
		minGap := time.Duration(-1)
		for j := 1; j < len(idx); j++ {
			a, b := fetches[idx[j-1]], fetches[idx[j]]
			gap := b.Start.Sub(a.Start)
			if minGap < 0 || gap < minGap {
				minGap = gap
			}
			if b.Start.Before(a.End) {
				overlaps++
			}
			if float64(gap) < jitterFloor*float64(sp.interval) {
				doubles++
				why := ""
				if cut[idx[j-1]] {
					why = " (the first was a pass cut by a kill)"
				}
				fmt.Printf("  fetched twice inside its interval: %s (interval %s) by %s at %s and by %s %.1fs later%s\n",
					sp.name, sp.interval, a.Replica, a.Start.Format("15:04:05.0"), b.Replica, gap.Seconds(), why)
			}
		}
		fmt.Printf("  %-4s interval %-4s fetches %2d  shortest gap %5.1fs (floor %.1fs)\n", sp.name, sp.interval, len(idx), minGap.Seconds(), jitterFloor*sp.interval.Seconds())
	}
	fmt.Printf("sources fetched twice inside their interval: %d (fetches overlapping another of the same source: %d)\n", doubles, overlaps)

	// Papers lost: listed in a complete response and not stored at the end.
	servedBy := map[string][]int{} // "source guid" -> fetches that listed it completely
	for i, f := range fetches {
		if !f.Complete {
			continue
		}
		for _, g := range f.GUIDs {
			k := f.Source + " " + g
			servedBy[k] = append(servedBy[k], i)
		}
	}
	lost, onlyCut := 0, 0
	for k, fi := range servedBy {
		if stored[k] {
			continue
		}
		allCut := true
		for _, i := range fi {
			allCut = allCut && cut[i]
		}
		if allCut {
			onlyCut++ // never committed: its only pass was killed, nothing committed was lost
			continue
		}
		lost++
		if lost <= 10 {
			fmt.Printf("  lost: %s (served %d times)\n", k, len(fi))
		}
	}
	extra := 0
	for k := range stored {
		if _, ok := servedBy[k]; !ok {
			extra++
		}
	}
	fmt.Printf("papers served: %d, stored: %d, lost: %d (served only to a killed pass, not re-fetched before the end: %d; stored but never served completely: %d)\n",
		len(servedBy), len(stored), lost, onlyCut, extra)
	return nil
}

// readJSONLines decodes a file of JSON lines.
func readJSONLines[T any](path string) ([]T, error) {
	var out []T
	err := readLines(path, func(b []byte) error {
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

func readLines(path string, fn func([]byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		if len(sc.Bytes()) == 0 {
			continue
		}
		if err := fn(sc.Bytes()); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return sc.Err()
}
