// Package dedup decides when two listings are the same paper.
//
// The collector looks up candidate papers by arXiv id, DOI, TitleKey (ident.TitleKey, an
// exact index lookup) or blocking key (BlockKeys), reading of each only what
// the rules read (FromStored), and merges an item into the first candidate
// for which Same holds; Explain names the rule and what agreed, which the
// item's sighting records. The rule, in order:
//
//  1. Identifiers. The same arXiv id (version stripped; old-style ids such as
//     hep-th/9901001 too) means the same paper, whatever the titles say
//     (titles change between versions). Two different arXiv ids are two
//     papers even under an identical title: each arXiv record is one work, and
//     a paper keeps one arXiv id. Otherwise the same DOI (lower-cased, resolver
//     prefix stripped, bioRxiv "vN" cut) means the same paper. Different DOIs
//     do not by themselves separate papers: a preprint (10.1101/...) and its
//     journal version (10.1038/...) have two.
//
//  2. Title key. Otherwise the TitleKeys must be equal: exact equality of a
//     normalised form, never fuzzy similarity, so "Qwen2" / "Qwen2.5",
//     "Part I" / "Part II", "not" / "not not" stay apart. TitleKey decodes
//     HTML entities (twice-escaped too) and drops tags; turns LaTeX into what a
//     reader sees ($, braces, ^ and _ and formatting commands go, "\beta" ->
//     β, "\infty" -> ∞, accents go, unknown commands keep their name); applies
//     NFKD (ligatures, fullwidth forms, super/subscripts), removes combining
//     marks (diacritics), lower-cases, transliterates ø ł ß æ œ ..., spells
//     Greek letters out ("β" -> "beta", so $\beta$-VAE, β-VAE and beta-VAE
//     agree); then keeps only letters, digits, '+', mathematical symbols (∞,
//     ≤) and a '.' between two digits ("2.5"), dropping all punctuation,
//     hyphens, quotes, spaces and line wraps. Words are concatenated, so
//     "Pre-train" = "Pretrain", ": " = " - " = " — ", and case, trailing
//     periods and stray whitespace do not matter.
//
//  3. Authors. Equal keys with author lists that share no surname (both
//     lists non-empty) are different papers. Surnames are folded like titles
//     and read from "Given Surname", "Surname, Given", "Surname Initials"
//     ("Watson JL"), so "Tom B. Brown" ~ "T. Brown", "Yann LeCun" ~ "Yann
//     Lecun", "André" ~ "Andre". E-mail addresses (arXiv RSS readers' fake
//     author) and "et al." are ignored.
//
//  4. Generic titles. Journals repeat column and notice titles in every issue,
//     often by the same editors. A title is generic when its key splits
//     entirely into column vocabulary and numbers ("Editor's note", "In this
//     issue", "Book reviews", "Correction", "Thank you to our reviewers"), when
//     it has a single word besides stop words ("Loneliness"), or when its head
//     before a subtitle separator is a notice ("Author Correction: ...",
//     "Reply to: ...", "Editorial: ..."). Listings of a generic title are the
//     same item only when both carry a publication time less than 24 hours
//     apart and do not carry two different DOIs. A non-generic title with
//     compatible authors merges whatever the dates: a preprint and its journal
//     version a year or two apart are one paper.
package dedup
