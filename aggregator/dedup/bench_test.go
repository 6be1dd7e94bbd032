package dedup

import (
	"testing"
	"time"
)

func BenchmarkSame(b *testing.B) {
	pub := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	pairs := [][2]Candidate{
		{cand("Language Models are Few-Shot Learners", []string{"Tom B. Brown", "Benjamin Mann", "Nick Ryder"}, pub),
			cand("Language models are few-shot learners.", []string{"T. Brown", "B. Mann", "N. Ryder"}, pub.AddDate(1, 0, 0))},
		{cand("Editor's note", []string{"Joao Monteiro"}, pub), cand("Editor’s Note", []string{"Joao Monteiro"}, pub.AddDate(0, 1, 0))},
		{withIDs(cand("A", nil, pub), "2410.17243", ""), withIDs(cand("B", nil, pub), "2410.17243", "")},
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p := pairs[i%len(pairs)]
		Same(p[0], p[1])
	}
}
