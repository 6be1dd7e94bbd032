package main

import (
	"testing"

	"github.com/paperfeed/paperfeed/aggregator/sharedtest"
)

// TestMain counts the tests skipped for want of ../shared into the run's summary.
func TestMain(m *testing.M) { sharedtest.Main(m) }
