// Package ident parses and normalises what identifies a paper across sources:
// arXiv ids (new and old style, version stripped), DOIs (lower case, no
// resolver prefix, bioRxiv versions cut) and the title key (markup, entities,
// LaTeX, Unicode variants, case and punctuation folded away). Sources read
// identifiers with it, dedup compares them, merge keeps the title key current.
// It imports nothing of the project.
package ident
