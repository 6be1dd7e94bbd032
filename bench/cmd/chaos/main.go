// Command chaos is the loopback side of bench/chaos.sh: an upstream serving
// feed sources whose items grow over time and logging every fetch, a killer
// that SIGKILLs a replica in the middle of one of its fetches, a probe that
// measures how soon every replica serves a new item, and the report that
// reads the upstream's log against the store.
//
//	chaos upstream -listen 127.0.0.1:19100 -sources s1=50s,s2=55s -log fetches.jsonl
//	chaos kill -upstream http://127.0.0.1:19100 -replica r2 -pid 1234
//	chaos probe -upstream http://127.0.0.1:19100 -replicas http://127.0.0.1:19001,... -sources s1,s2
//	chaos report -log fetches.jsonl -kills kills.jsonl -sources s1=50s,... -store sightings.txt
package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: chaos upstream|kill|probe|report [flags]")
		os.Exit(2)
	}
	cmds := map[string]func([]string) error{"upstream": upstream, "kill": kill, "probe": probe, "report": report}
	run, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "chaos: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := run(os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "chaos "+os.Args[1]+":", err)
		os.Exit(1)
	}
}

// sourceSpec is one configured source: its name and interval.
type sourceSpec struct {
	name     string
	interval time.Duration
}

// parseSources reads "name=interval,name=interval".
func parseSources(s string) ([]sourceSpec, error) {
	var out []sourceSpec
	for _, f := range strings.Split(s, ",") {
		name, iv, ok := strings.Cut(strings.TrimSpace(f), "=")
		if !ok {
			return nil, fmt.Errorf("source %q: want name=interval", f)
		}
		d, err := time.ParseDuration(iv)
		if err != nil {
			return nil, fmt.Errorf("source %q: %w", f, err)
		}
		out = append(out, sourceSpec{name: name, interval: d})
	}
	return out, nil
}

// fetch is one line of the upstream's log: a request for a source's feed.
type fetch struct {
	Source   string    `json:"source"`
	Replica  string    `json:"replica"` // from the User-Agent: "paperfeed-chaos rN"
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Complete bool      `json:"complete"` // the whole body was written
	GUIDs    []string  `json:"guids"`
}

// killed is one line of the killer's log.
type killed struct {
	Replica string    `json:"replica"`
	PID     int       `json:"pid"`
	At      time.Time `json:"at"`
	Source  string    `json:"source"` // the fetch in flight when it was killed
}
