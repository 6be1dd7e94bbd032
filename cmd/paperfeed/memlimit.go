package main

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"
)

// memoryLimitPerBodyCap is the soft memory limit of serve and collect, in body
// caps. Sources parse bodies of one cap in total at once (sources.ParseGate),
// and the largest document the shape bounds accept costs gofeed about ten caps
// live (a 20 MiB feed of 208,000 small items: 206-222 MB); 16 caps leaves the
// garbage collector room above that without letting GOGC's default doubling
// take the process past 20 caps (BENCHMARKS.md section 7).
const memoryLimitPerBodyCap = 16

// memoryLimit is the limit for a body cap of bodyCap bytes, and false when
// the operator set GOMEMLIMIT (the runtime applied it already) or the cap is
// too large for a limit to mean anything.
func memoryLimit(bodyCap int64, lookupEnv func(string) (string, bool)) (int64, bool) {
	if _, set := lookupEnv("GOMEMLIMIT"); set {
		return 0, false
	}
	if bodyCap <= 0 || bodyCap > math.MaxInt64/memoryLimitPerBodyCap {
		return 0, false
	}
	return memoryLimitPerBodyCap * bodyCap, true
}

// setMemoryLimit gives the process a soft memory limit scaled to the body cap,
// unless GOMEMLIMIT is set: the collector then works harder near the limit
// instead of letting the heap double past it. The runtime caps the
// collector's share of CPU, so a live heap above the limit slows the process
// down but does not stop it.
func setMemoryLimit(bodyCap int64, logger *slog.Logger) {
	limit, ok := memoryLimit(bodyCap, os.LookupEnv)
	if !ok {
		logger.Debug("memory limit left to the runtime", "bytes", debug.SetMemoryLimit(-1), "GOMEMLIMIT", os.Getenv("GOMEMLIMIT"))
		return
	}
	debug.SetMemoryLimit(limit)
	logger.Debug("memory limit", "bytes", limit, "max_body_bytes", bodyCap, "body_caps", memoryLimitPerBodyCap)
}
