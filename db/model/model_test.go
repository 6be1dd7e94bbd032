package model

import "testing"

func TestPrimaryLink(t *testing.T) {
	p := &Paper{Sightings: []Sighting{{Link: "tag:x"}, {Link: "https://example.org/p"}}}
	if got := p.PrimaryLink(); got != "https://example.org/p" {
		t.Errorf("PrimaryLink = %q", got)
	}
	p.Links = []Link{{Kind: LinkDOI, URL: "https://doi.org/10.1/x"}, {Kind: LinkAbstract, URL: "https://arxiv.org/abs/1"}}
	if got := p.PrimaryLink(); got != "https://arxiv.org/abs/1" {
		t.Errorf("PrimaryLink = %q", got)
	}
}
