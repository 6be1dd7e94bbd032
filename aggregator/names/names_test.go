package names

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in      string
		surname string
		given   []string
	}{
		{"Tom B. Brown", "brown", []string{"tom", "b"}},
		{"T. Brown", "brown", []string{"t"}},
		{"T.Brown", "brown", []string{"t"}},
		{"J.-L. Picard", "picard", []string{"j", "l"}},
		{"Kai-Wei Chang", "chang", []string{"kaiwei"}},
		{"Watson JL", "watson", []string{"j", "l"}},
		{"Watson J. L.", "watson", []string{"j", "l"}},
		{"Juergens D.", "juergens", []string{"d"}},
		{"Brown, Tom B.", "brown", []string{"tom", "b"}},
		{"De Bortoli, Valentin", "bortoli", []string{"valentin"}},
		{"André F. T. Martins", "martins", []string{"andre", "f", "t"}},
		{"Yann LeCun", "lecun", []string{"yann"}},
		{"Plato", "plato", nil},
		{"", "", nil},
	}
	for _, c := range cases {
		p := Parse(c.in)
		if p.Surname != c.surname || !slices.Equal(p.Given, c.given) {
			t.Errorf("Parse(%q) = %q %q, want %q %q", c.in, p.Surname, p.Given, c.surname, c.given)
		}
	}
}

func TestSame(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"T. Brown", "Tom B. Brown", true},
		{"Brown, Tom B.", "T. B. Brown", true},
		{"Watson JL", "Joseph L. Watson", true},
		{"J.-L. Picard", "Jean-Luc Picard", true}, // "j" matches "jeanluc"
		{"J.-L. Picard", "J.-P. Picard", false},
		{"J.-L. Picard", "J. Picard", true},
		{"Yann LeCun", "Yann Lecun", true},
		{"André Martins", "Andre Martins", true},
		{"Xuezhi Wang", "Xiaolong Wang", false},
		{"J. Wang", "K. Wang", false},
		{"Wang", "Xuezhi Wang", true},
		{"", "", false},
	}
	for _, c := range cases {
		if got := Same(Parse(c.a), Parse(c.b)); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := Same(Parse(c.b), Parse(c.a)); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v", c.b, c.a, got, c.want)
		}
	}
}

func TestFuller(t *testing.T) {
	cases := []struct{ cur, cand, want string }{
		{"T. Brown", "Tom B. Brown", "Tom B. Brown"},
		{"Tom B. Brown", "T. Brown", "Tom B. Brown"},
		{"Andre Martins", "André Martins", "André Martins"},
		{"André Martins", "Andre Martins", "André Martins"},
		{"Yann LeCun", "Yann Lecun", "Yann LeCun"},
	}
	for _, c := range cases {
		if got := Fuller(c.cur, c.cand); got != c.want {
			t.Errorf("Fuller(%q, %q) = %q, want %q", c.cur, c.cand, got, c.want)
		}
	}
}

func TestFoldAndEtAl(t *testing.T) {
	for in, want := range map[string]string{
		"André": "andre", "LeCun": "lecun", "Lecun": "lecun", "O'Brien": "obrien",
		"J.-L.": "jl", "Müller-Lüdenscheidt": "mullerludenscheidt", "": "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		"et al.": true, "Et Al": true, " others ": true, "and others": true,
		"Al Smith": false, "et": false, "Tom B. Brown": false,
	} {
		if got := IsEtAl(in); got != want {
			t.Errorf("IsEtAl(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestInitials(t *testing.T) {
	for in, want := range map[string]bool{
		"T": true, "T.": true, "J.L.": true, "J.-L.": true, "É.": true,
		"JL": false, "Tom": false, "Jr.": false, "-": false, ".": false, "T,": false,
	} {
		if got := isInitial(in); got != want {
			t.Errorf("isInitial(%q) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		"JL": true, "TBB": true, "J": false, "ABCD": false, "Jl": false, "J.": false,
	} {
		if got := isCapsInitials(in); got != want {
			t.Errorf("isCapsInitials(%q) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string][]string{
		"T.Brown":      {"T.", "Brown"},
		"J.-L. Picard": {"J.", "-L.", "Picard"},
		"Jean - Luc":   {"Jean", "-", "Luc"},
		" Tom  B. ":    {"Tom", "B."},
	} {
		if got := tokens(in); !slices.Equal(got, want) {
			t.Errorf("tokens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSurnames(t *testing.T) {
	cases := []struct {
		in   string
		want string // the keys, space-separated
	}{
		{"Tom B. Brown", "brown"},
		{"T. Brown", "brown"},
		{"T.Brown", "brown"},
		{"J.-L. Picard", "picard"},
		{"Jean - Luc Picard", "picard"},
		{"Brown, Tom B.", "brown"},
		{"Brown, T. B.", "brown"},
		{"Watson JL", "watson jl"},
		{"Yi MA", "yi ma"},
		{"Watson J. L.", "watson"},
		{"Joseph L. Watson", "watson"},
		{"Juergens D", "juergens"},
		{"Yann LeCun", "lecun"},
		{"Yann Lecun", "lecun"},
		{"André F. T. Martins", "martins"},
		{"De Bortoli, Valentin", "bortoli"},
		{"Martin Luther King, Jr.", "king"},
		{"Martin Luther King Jr.", "king"},
		{"Henry Ford III", "ford"},
		{"Jane Doe PhD", "doe"},
		{"Tom B. Brown, Benjamin Mann", "brown mann"},
		{"Ruiz, A.; Wei, L.", "ruiz wei"},
		{"Jason Wei et al.", "wei"},
		{"rss-help@arxiv.org", ""},
		{"Tom Brown <tom@example.org>", ""},
		{"et al.", ""},
		{"others", ""},
		{" ; ", ""},
	}
	for _, c := range cases {
		if got := Surnames([]string{c.in}, nil); strings.Join(got, " ") != c.want {
			t.Errorf("Surnames(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Surnames([]string{"A. Ng", "LeCun Y"}, Fold); !slices.Equal(got, []string{"ng", "lecun"}) {
		t.Errorf("Surnames of a list = %q", got)
	}
	if got := Surnames(nil, nil); got != nil {
		t.Errorf("Surnames(nil) = %q, want nil", got)
	}
	prefixed := func(s string) string { return "K" + Fold(s) }
	if got := Surnames([]string{"T. Brown"}, prefixed); !slices.Equal(got, []string{"Kbrown"}) {
		t.Errorf("Surnames with a key = %q, want the key's form", got)
	}
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{
		"", "Tom B. Brown", "T.Brown", "J.-L. Picard", "Watson JL", "Brown, Tom B.", "André F. T. Martins",
		"Yann LeCun", "et al.", "Martin Luther King, Jr.", "Henry Ford III", "rss-help@arxiv.org",
		"Ruiz, A.; Wei, L.", "Jean - Luc", ".", "-", ",", ";", "ǅ", "İ", "ﬃ", "\xff", "A.\xffB.",
	} {
		f.Add(s, "T. Brown")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		k := Fold(a)
		if k2 := Fold(k); k2 != k {
			t.Fatalf("Fold not idempotent: Fold(%q) = %q, Fold(%q) = %q", a, k, k, k2)
		}
		if !utf8.ValidString(k) {
			t.Fatalf("Fold(%q) = %q is not valid UTF-8", a, k)
		}
		pa, pb := Parse(a), Parse(b)
		if s := Same(pa, pb); s != Same(pb, pa) {
			t.Fatalf("Same(%q, %q) is not symmetric", a, b)
		}
		if pa.Letters != "" && !Same(pa, pa) {
			t.Fatalf("Parse(%q) = %+v is not Same as itself", a, pa)
		}
		if f := Fuller(a, b); f != a && f != b {
			t.Fatalf("Fuller(%q, %q) = %q", a, b, f)
		}
		_ = IsEtAl(a)
		for _, s := range Surnames([]string{a, b}, nil) {
			if utf8.RuneCountInString(s) < 2 {
				t.Fatalf("Surnames(%q, %q) has the short key %q", a, b, s)
			}
		}
	})
}
