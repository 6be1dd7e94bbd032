package recommend

import "strings"

// stopWords are common English words that carry no topic: the list
// scikit-learn's TfidfVectorizer(stop_words="english") uses (from the Glasgow
// Information Retrieval Group's list). As there, they are removed before
// bigrams are formed. They sit in an open-addressing table keyed by their
// FNV-1a hash, which the scanner computes for every word anyway, so a lookup
// costs a probe or two and no string header.
var stopWords = func() *stopTable {
	t := &stopTable{}
	for _, w := range strings.Fields(stopList) {
		h := fnvBytes(fnvOffset, []byte(w))
		i := stopSlot(h)
		for t.words[i] != "" {
			i = (i + 1) & (len(t.words) - 1)
		}
		t.hashes[i], t.words[i] = h, w
	}
	return t
}()

// stopTable has 1024 slots for 318 words: probes stay short.
type stopTable struct {
	hashes [1024]uint64
	words  [1024]string
}

// stopSlot spreads the hash over the table by a multiplicative mix: FNV's
// high bits hardly vary between short words.
func stopSlot(h uint64) int { return int(h * 0x9e3779b97f4a7c15 >> 54) }

// isStopWord reports whether w, of FNV-1a hash h, is a stop word (compared
// byte for byte: a hash collision keeps the word).
func isStopWord(h uint64, w []byte) bool {
	if len(w) > maxStopLen {
		return false
	}
	t := stopWords
	for i := stopSlot(h); t.words[i] != ""; i = (i + 1) & (len(t.words) - 1) {
		if t.hashes[i] == h && t.words[i] == string(w) {
			return true
		}
	}
	return false
}

// maxStopLen is the longest stop word's length (TestStopWords checks it).
const maxStopLen = 12

const stopList = `
a about above across after afterwards again against all almost alone along already also although
always am among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere
are around as at back be became because become becomes becoming been before beforehand behind being
below beside besides between beyond bill both bottom but by call can cannot cant co con could
couldnt cry de describe detail do done down due during each eg eight either eleven else elsewhere
empty enough etc even ever every everyone everything everywhere except few fifteen fifty fill find
fire first five for former formerly forty found four from front full further get give go had has
hasnt have he hence her here hereafter hereby herein hereupon hers herself him himself his how
however hundred i ie if in inc indeed interest into is it its itself keep last latter latterly least
less ltd made many may me meanwhile might mill mine more moreover most mostly move much must my
myself name namely neither never nevertheless next nine no nobody none noone nor not nothing now
nowhere of off often on once one only onto or other others otherwise our ours ourselves out over own
part per perhaps please put rather re same see seem seemed seeming seems serious several she should
show side since sincere six sixty so some somehow someone something sometime sometimes somewhere
still such system take ten than that the their them themselves then thence there thereafter thereby
therefore therein thereupon these they thick thin third this those though three through throughout
thru thus to together too top toward towards twelve twenty two un under until up upon us very via
was we well were what whatever when whence whenever where whereafter whereas whereby wherein
whereupon wherever whether which while whither who whoever whole whom whose why will with within
without would yet you your yours yourself yourselves
`
