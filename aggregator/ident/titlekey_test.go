package ident

import "testing"

func TestTitleKeyVariants(t *testing.T) {
	// Each group: every spelling must give the key of the first.
	groups := []struct {
		kind  string
		forms []string
	}{
		{"html-entities", []string{"HuggingFace's Transformers", "HuggingFace&#39;s Transformers", "HuggingFace&amp;#39;s Transformers", "HuggingFace&rsquo;s Transformers"}},
		{"html-tags", []string{"In vivo imaging of H2O transport", "<i>In vivo</i> imaging of H<sub>2</sub>O transport", "&lt;i&gt;In vivo&lt;/i&gt; imaging of H<sub>2</sub>O transport"}},
		{"latex-greek", []string{"β-VAE: Learning Basic Visual Concepts", "$\\beta$-VAE: Learning Basic Visual Concepts", "beta-VAE: Learning Basic Visual Concepts", "$\\mathbf{\\beta}$-VAE: Learning Basic Visual Concepts", "Β-VAE: LEARNING BASIC VISUAL CONCEPTS"}},
		{"latex-subscript", []string{"H2O splitting", "H$_2$O splitting", "H$_{2}$O splitting", "H₂O splitting", "H<sub>2</sub>O splitting"}},
		{"latex-formatting", []string{"X marks the spot", "\\textbf{X} marks the spot", "\\emph{X} marks the spot", "{X} marks the spot"}},
		{"latex-infinity", []string{"∞-former: Infinite Memory Transformer", "$\\infty$-former: Infinite Memory Transformer", "$\\infty$-Former: Infinite Memory Transformer"}},
		{"latex-accent", []string{"Schrödinger bridges", "Schr\\\"odinger bridges", "Schr\\\"{o}dinger bridges", "Schrodinger bridges"}},
		{"latex-math", []string{"Learning with ℓ1 penalties", "Learning with $\\ell_1$ penalties", "Learning with l1 penalties"}},
		{"ligature", []string{"Parameter-Efficient Transfer", "Parameter-Eﬃcient Transfer", "Parameter-Eﬀicient Transfer"}},
		{"fullwidth", []string{"GPT-4 Technical Report", "ＧＰＴ－４ Ｔｅｃｈｎｉｃａｌ Ｒｅｐｏｒｔ"}},
		{"hyphens", []string{"Self-Consistency", "Self‐Consistency", "Self‑Consistency", "Self–Consistency", "Self−Consistency", "Self\u00adConsistency", "Self Consistency", "SelfConsistency"}},
		{"quotes", []string{`"Why Should I Trust You?"`, "“Why Should I Trust You?”", "‘Why Should I Trust You?’", "«Why Should I Trust You?»"}},
		{"nbsp", []string{"Chain of Thought", "Chain\u00a0of\u2009Thought", "Chain\u202fof\u3000Thought", "Chain of\u200bThought"}},
		{"diacritics", []string{"Andre and Jose in Malmo", "André and José in Malmö", "Andre\u0301 and Jose\u0301 in Malmo\u0308"}},
		{"transliteration", []string{"Ostergaard and Lodz", "Østergaard and Łódź"}},
		{"line-wrap", []string{"Denoising Diffusion Probabilistic Models", "Denoising Diffusion Probabilistic\n  Models", "  Denoising Diffusion\tProbabilistic Models \n"}},
		{"trailing-period", []string{"Deep Residual Learning", "Deep Residual Learning.", "Deep Residual Learning..."}},
		{"subtitle", []string{"RoBERTa: A Robust Approach", "RoBERTa - A Robust Approach", "RoBERTa — A Robust Approach", "RoBERTa – A Robust Approach", "RoBERTa. A Robust Approach"}},
		{"case", []string{"LoRA: Low-Rank Adaptation", "LORA: LOW-RANK ADAPTATION", "lora: low-rank adaptation"}},
		{"ampersand", []string{"Pretrain & Prompt: A Survey", "Pretrain and Prompt: A Survey", "Pretrain &amp; Prompt: A Survey", "Pretrain ＆ Prompt: A Survey"}},
		{"hyphen-vs-none", []string{"Pre-train, Prompt, and Predict", "Pretrain, Prompt, and Predict", "Pre-Train, Prompt and Predict"}},
		{"roman-numeral-char", []string{"Part II", "Part Ⅱ"}},
		{"decimal", []string{"Qwen2.5 Technical Report", "Qwen2．5 Technical Report", "Qwen２.５ Technical Report"}},
	}
	for _, g := range groups {
		t.Run(g.kind, func(t *testing.T) {
			want := TitleKey(g.forms[0])
			if want == "" {
				t.Fatalf("empty key for %q", g.forms[0])
			}
			for _, f := range g.forms[1:] {
				if got := TitleKey(f); got != want {
					t.Errorf("TitleKey(%q) = %q, want %q (from %q)", f, got, want, g.forms[0])
				}
			}
		})
	}
}

func TestTitleKeyKeepsApart(t *testing.T) {
	pairs := []struct{ kind, a, b string }{
		{"version-number", "Qwen2 Technical Report", "Qwen2.5 Technical Report"},
		{"version-number-25", "Qwen2.5 Technical Report", "Qwen25 Technical Report"},
		{"part-numbers", "Mathematical Capabilities of ChatGPT: Part I", "Mathematical Capabilities of ChatGPT: Part II"},
		{"yolo", "YOLOv3: An Incremental Improvement", "YOLOv4: An Incremental Improvement"},
		{"not-not", "Attention is not Explanation", "Attention is not not Explanation"},
		{"prefix", "Denoising Diffusion Probabilistic Models", "Improved Denoising Diffusion Probabilistic Models"},
		{"infinity-symbol", "∞-former", "former"},
		{"plus", "C++ Concurrency", "C Concurrency"},
		{"ampersand-dropped", "Pretrain & Prompt", "Pretrain Prompt"},
		{"greek-letter", "α-synuclein aggregation", "β-synuclein aggregation"},
		{"subscript-number", "H$_2$O", "H$_3$O"},
	}
	for _, p := range pairs {
		t.Run(p.kind, func(t *testing.T) {
			if ka, kb := TitleKey(p.a), TitleKey(p.b); ka == kb {
				t.Errorf("TitleKey(%q) == TitleKey(%q) == %q", p.a, p.b, ka)
			}
		})
	}
}

func TestTitleKeyExact(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Language Models are Few-Shot Learners", "languagemodelsarefewshotlearners"},
		{"Qwen2.5 Technical Report.", "qwen2.5technicalreport"},
		{"Version 2. 5 ways", "version25ways"},
		{"$\\beta$-VAE", "betavae"},
		{"$\\infty$", "∞"},
		{"\\LaTeX{} for papers", "latexforpapers"},
		{"3×3 convolutions", "3x3convolutions"},
		{"A → B", "ab"},
		{"Foo™ and Bar®", "fooandbar"},
		{"", ""},
		{"  ...  ", ""},
		// Only markup: something must remain.
		{"<b>", "b"},
		{"\\textbf{}", "textbf"},
		{"$\\,$x", "x"},
	}
	for _, c := range cases {
		if got := TitleKey(c.in); got != c.want {
			t.Errorf("TitleKey(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestTitleKeyTagsAreNotParsedAsHTML pins where the key's tag removal differs
// from HTML-to-text (plaintext.FromHTML): a title is text by the time it is
// keyed, so a "<" that opens no complete tag keeps what follows, and the text
// after a <script> or <title> tag is title text, not element content. Title
// keys are stored, so these must not change.
func TestTitleKeyTagsAreNotParsedAsHTML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Is P<NP?", "ispnp"},
		{"Detecting <script> injection in templates", "detectinginjectionintemplates"},
		{"Why the <title> element matters", "whytheelementmatters"},
		{"<i>De novo</i> design", "denovodesign"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := TitleKey(tc.in); got != tc.want {
				t.Errorf("TitleKey(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
