package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"syscall"
	"time"
)

// kill waits until the upstream is answering a fetch of -replica that
// started at least -into ago (the replica holds the source's lease and waits
// for the body), SIGKILLs -pid, logs it to -log and prints the leases a live
// replica's /status shows just after.
func kill(args []string) error {
	fs := flag.NewFlagSet("kill", flag.ExitOnError)
	up := fs.String("upstream", "http://127.0.0.1:19100", "the chaos upstream")
	replica := fs.String("replica", "", "the victim's tag in its User-Agent (rN)")
	pid := fs.Int("pid", 0, "the victim's process id")
	into := fs.Duration("into", 500*time.Millisecond, "how long the fetch has been in flight when the kill lands")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up when no fetch of the victim comes")
	logPath := fs.String("log", "kills.jsonl", "appended: one line per kill")
	status := fs.String("status", "", "a live replica's /status?format=json, to print its leases after the kill")
	fs.Parse(args)
	if *pid <= 0 || *replica == "" {
		return errors.New("-pid and -replica are required")
	}
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		var fl []fetch
		if err := getJSON(*up+"/control/inflight", &fl); err != nil {
			return err
		}
		for _, fe := range fl {
			if fe.Replica != *replica || time.Since(fe.Start) < *into {
				continue
			}
			if err := syscall.Kill(*pid, syscall.SIGKILL); err != nil {
				return fmt.Errorf("kill %d: %w", *pid, err)
			}
			k := killed{Replica: *replica, PID: *pid, At: time.Now(), Source: fe.Source}
			f, err := os.OpenFile(*logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return err
			}
			b, _ := json.Marshal(k)
			f.Write(append(b, '\n'))
			f.Close()
			fmt.Printf("killed %s (pid %d) %.1fs into its fetch of %s\n", *replica, *pid, k.At.Sub(fe.Start).Seconds(), fe.Source)
			if *status != "" {
				time.Sleep(200 * time.Millisecond)
				printLeases(*status)
			}
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no fetch of %s within %s", *replica, *timeout)
}

func printLeases(url string) {
	var rep struct {
		Replica string `json:"replica"`
		Leases  []struct {
			Name    string    `json:"name"`
			Holder  string    `json:"holder"`
			Expires time.Time `json:"expires"`
		} `json:"leases"`
	}
	if err := getJSON(url, &rep); err != nil {
		fmt.Println("  leases: ", err)
		return
	}
	for _, l := range rep.Leases {
		fmt.Printf("  lease %s held by %s, expires in %.1fs (seen by %s)\n", l.Name, l.Holder, time.Until(l.Expires).Seconds(), rep.Replica)
	}
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
