package ident

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TitleKey is the normalised form of a title that all spellings of the same
// title share; see the package documentation for what it folds. It is never
// empty for a title that contains a letter or digit, and TitleKey(TitleKey(x))
// == TitleKey(x).
func TitleKey(title string) string {
	if k, ok := asciiKey(title); ok {
		return k
	}
	s := title
	for i := 0; i < 3 && strings.IndexByte(s, '&') >= 0; i++ { // twice-escaped feeds exist
		u := html.UnescapeString(s)
		if u == s {
			break
		}
		s = u
	}
	if strings.IndexByte(s, '<') >= 0 {
		s = dropTags(s)
	}
	if strings.ContainsAny(s, `\$`) {
		s = detex(s)
	}
	if k := foldKey(s); k != "" {
		return k
	}
	// Only markup, or markup around the only letters: keep what is there.
	if k := foldKey(title); k != "" {
		return k
	}
	return lowerAlnum(title)
}

// asciiKey is the fast path for plain ASCII titles without markup.
func asciiKey(s string) (string, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf, c == '&', c == '<', c == '\\', c == '$':
			return "", false
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+':
			n++
		case 'A' <= c && c <= 'Z':
			n++
		}
	}
	if n == 0 {
		return "", false // let the slow path decide (it is "" anyway)
	}
	var b strings.Builder
	b.Grow(n + 4)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+':
			b.WriteByte(c)
		case 'A' <= c && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c == '.' && i > 0 && i+1 < len(s) && isASCIIDigit(s[i-1]) && isASCIIDigit(s[i+1]):
			b.WriteByte('.')
		}
	}
	return b.String(), true
}

func isASCIIDigit(c byte) bool { return '0' <= c && c <= '9' }

// keyDigit reports whether r is a digit that keeps a neighbouring '.' (a
// version or decimal number: "Qwen2.5" must not become "Qwen25").
func keyDigit(r rune) bool { return '0' <= r && r <= '9' || '０' <= r && r <= '９' }

// foldKey is the Unicode path: each rune folded in keyMode (see foldRune),
// and a '.' between two digits kept.
func foldKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	prev := rune(-1)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '.' || r == '．' {
			if keyDigit(prev) && i+size < len(s) {
				if next, _ := utf8.DecodeRuneInString(s[i+size:]); keyDigit(next) {
					b.WriteByte('.')
				}
			}
		} else if !(r == utf8.RuneError && size == 1) {
			foldRune(&b, s[i:i+size], r, 0, keyMode)
		}
		prev = r
		i += size
	}
	return b.String()
}

// lowerAlnum is the last resort: the letters and digits of s, lower-cased.
func lowerAlnum(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// dropTags removes tag-shaped runs ("<i>", "</sub>", "<br/>", "<!-- -->").
// A '<' not followed by a tag-like character, or never closed, is kept. It is
// not HTML-to-text (that is plaintext.FromHTML, an HTML tokenizer): a title
// is text by the time it is keyed, so "Is P<NP?" keeps "NP" and the words
// after a literal "<script>" stay title words.
func dropTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' && i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!' || s[i+1] == '?') {
			if j := strings.IndexByte(s[i+1:], '>'); j >= 0 {
				i += j + 2
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

func isASCIILetter(c byte) bool { return 'A' <= c&^0x20 && c&^0x20 <= 'Z' }

// detex turns LaTeX in a title into what a reader sees: math delimiters,
// braces, sub/superscript marks and formatting commands go, Greek letters
// and symbols become their Unicode characters, accents go (diacritics are
// folded anyway), unknown commands keep their name ("\LaTeX" -> "LaTeX").
func detex(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case '$', '{', '}', '^', '_':
			i++
			continue
		case '~':
			b.WriteByte(' ')
			i++
			continue
		case '\\':
		default:
			b.WriteByte(c)
			i++
			continue
		}
		// A command.
		j := i + 1
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		if j == i+1 { // control symbol: \& \% \, \' ...
			if j < len(s) {
				switch s[j] {
				case '&', '%', '#':
					b.WriteByte(s[j])
				}
				j++
			}
			i = j
			continue
		}
		name := s[i+1 : j]
		i = j
		if t, ok := texSymbols[name]; ok {
			b.WriteString(t)
			continue
		}
		if texDrop[name] {
			continue
		}
		b.WriteString(name)
	}
	return b.String()
}

// texSymbols maps LaTeX commands to the characters a reader sees.
var texSymbols = map[string]string{
	"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε",
	"zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "θ", "iota": "ι", "kappa": "κ",
	"lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "varpi": "π",
	"rho": "ρ", "varrho": "ρ", "sigma": "σ", "varsigma": "σ", "tau": "τ", "upsilon": "υ",
	"phi": "φ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
	"Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
	"Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
	"infty": "∞", "times": "×", "pm": "±", "mp": "∓", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥",
	"neq": "≠", "ne": "≠", "approx": "≈", "equiv": "≡", "partial": "∂", "nabla": "∇",
	"sum": "∑", "prod": "∏", "int": "∫", "sqrt": "√", "in": "∈", "notin": "∉", "subset": "⊂",
	"subseteq": "⊆", "cup": "∪", "cap": "∩", "forall": "∀", "exists": "∃", "emptyset": "∅",
	"varnothing": "∅", "ell": "ℓ", "hbar": "ℏ", "propto": "∝", "oplus": "⊕", "otimes": "⊗",
	"ll": "≪", "gg": "≫", "perp": "⊥", "parallel": "∥", "aleph": "ℵ", "div": "÷", "cdot": "",
	"ss": "ss", "o": "o", "O": "o", "ae": "ae", "AE": "ae", "oe": "oe", "OE": "oe", "aa": "a",
	"AA": "a", "l": "l", "L": "l", "i": "i", "j": "j",
	"textendash": "", "textemdash": "", "textquoteright": "", "textquoteleft": "",
	"neg": "¬", "lnot": "¬", "wedge": "∧", "land": "∧", "vee": "∨", "lor": "∨", "dagger": "",
	"ddagger": "", "S": "", "P": "", "bullet": "", "diamond": "", "square": "", "triangle": "",
	"checkmark": "", "setminus": "", "textdollar": "", "textbackslash": "", "textasciitilde": "",
}

// texDrop lists commands that only format, space or accent their argument.
var texDrop = map[string]bool{
	"textbf": true, "textit": true, "emph": true, "texttt": true, "textrm": true, "textsf": true,
	"textsc": true, "textup": true, "textnormal": true, "textsl": true, "text": true, "mbox": true,
	"hbox": true, "mathrm": true, "mathbf": true, "mathit": true, "mathsf": true, "mathtt": true,
	"mathcal": true, "mathbb": true, "mathfrak": true, "mathscr": true, "mathnormal": true,
	"boldsymbol": true, "bm": true, "pmb": true, "operatorname": true, "underline": true,
	"overline": true, "widehat": true, "widetilde": true, "hat": true, "tilde": true, "bar": true,
	"vec": true, "dot": true, "ddot": true, "check": true, "breve": true, "acute": true,
	"grave": true, "mathring": true, "left": true, "right": true, "big": true, "Big": true,
	"bigg": true, "Bigg": true, "bigl": true, "bigr": true, "Bigl": true, "Bigr": true,
	"displaystyle": true, "textstyle": true, "scriptstyle": true, "limits": true, "nolimits": true,
	"it": true, "bf": true, "rm": true, "em": true, "sc": true, "tt": true, "sf": true, "sl": true,
	"cal": true, "small": true, "large": true, "Large": true, "footnotesize": true, "scriptsize": true,
	"normalsize": true, "tiny": true, "huge": true, "quad": true, "qquad": true, "enspace": true,
	"thinspace": true, "negthinspace": true, "xspace": true, "ensuremath": true, "frac": true,
	"dfrac": true, "tfrac": true, "to": true, "rightarrow": true, "leftarrow": true,
	"Rightarrow": true, "Leftarrow": true, "leftrightarrow": true, "longrightarrow": true,
	"mapsto": true, "ldots": true, "dots": true, "cdots": true, "vdots": true, "ast": true,
	"star": true, "circ": true, "sim": true, "prime": true, "mid": true, "vert": true,
	"lvert": true, "rvert": true, "langle": true, "rangle": true, "lbrace": true, "rbrace": true,
	"c": true, "v": true, "u": true, "H": true, "k": true, "r": true, "d": true, "b": true, "t": true,
	"newline": true, "linebreak": true, "par": true, "relax": true, "protect": true, "nobreak": true,
}
