package snapshot

import (
	"strings"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
)

// Character keys are placed by the order their collation gives printable
// ASCII, which Sluice knows for the collations of charKinds (each checked
// against the server by TestCharOrdersAsTheServer). Every other key (one
// with an accent, another script or a control character anywhere) is
// placed at -1, in a range of its own that is read first, whose SELECT
// takes exactly such keys (charPrintableSQL): a streamed change is thus
// always found in the range that read its row, whatever its characters.
//
// Every collation here pads with spaces (PAD SPACE: 'ab' = 'ab  '), and a
// space weighs least of printable ASCII in each, so a key is its first
// charDigits characters' ranks, the missing ones a space's (0), read as a
// number in base len(order.rep). Two keys that differ within their first
// charDigits characters compare as those numbers do. A key whose first
// charDigits characters are a bound's is at or after the bound both here
// and in the server, where the rest of it compares with spaces, which
// weigh least. Bounds are such numbers, written back as characters.

// charDigits is how many characters place a key: 95^9 fits an int64.
const charDigits = 9

// Character key kinds, one per order of printable ASCII.
const (
	// keyCharBinary: _bin collations, by code point.
	keyCharBinary keyKind = "cb"
	// keyCharGeneral: general_ci (and latin1_swedish_ci), by code point
	// with lower-case letters as upper-case ones.
	keyCharGeneral keyKind = "cg"
	// keyCharUnicode: unicode_ci and unicode_520_ci (UCA 4.0.0 and 5.2.0
	// order printable ASCII alike).
	keyCharUnicode keyKind = "cu"
	// keyCharUCA1400: uca1400_ai_ci (UCA 14.0.0).
	keyCharUCA1400 keyKind = "cw"
)

// charKinds are the collations whose character keys are split, by name
// (a tailored collation, such as Czech's with its "ch", is not here).
var charKinds = map[string]keyKind{
	"ascii_bin": keyCharBinary, "latin1_bin": keyCharBinary, "utf8_bin": keyCharBinary,
	"utf8mb3_bin": keyCharBinary, "utf8mb4_bin": keyCharBinary,
	"ascii_general_ci": keyCharGeneral, "latin1_swedish_ci": keyCharGeneral, "utf8_general_ci": keyCharGeneral,
	"utf8mb3_general_ci": keyCharGeneral, "utf8mb4_general_ci": keyCharGeneral,
	"utf8_unicode_ci": keyCharUnicode, "utf8mb3_unicode_ci": keyCharUnicode, "utf8mb4_unicode_ci": keyCharUnicode,
	"utf8_unicode_520_ci": keyCharUnicode, "utf8mb3_unicode_520_ci": keyCharUnicode,
	"utf8mb4_unicode_520_ci": keyCharUnicode,
	"utf8mb3_uca1400_ai_ci":  keyCharUCA1400, "utf8mb4_uca1400_ai_ci": keyCharUCA1400,
}

// charOrder is one order of printable ASCII: rank by byte (noRank for a
// byte that is not placed) and, by rank, a character of that rank.
type charOrder struct {
	rank [256]uint8
	rep  []byte
}

const noRank = 0xff

const (
	uppers = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits = "0123456789"
)

// charOrders are written as the printable ASCII in collation order, a
// case-insensitive collation's letters given in upper case only (each
// lower-case letter ranks with its upper-case one).
var charOrders = map[keyKind]*charOrder{
	keyCharBinary:  newCharOrder(" !\"#$%&'()*+,-./"+digits+":;<=>?@"+uppers+"[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~", false),
	keyCharGeneral: newCharOrder(" !\"#$%&'()*+,-./"+digits+":;<=>?@"+uppers+"[\\]^_`{|}~", true),
	keyCharUnicode: newCharOrder(" `^_-,;:!?.'\"()[]{}@*/\\&#%+<=>|~$"+digits+uppers, true),
	keyCharUCA1400: newCharOrder(" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"+digits+uppers, true),
}

func newCharOrder(order string, foldCase bool) *charOrder {
	o := &charOrder{rep: []byte(order)}
	for i := range o.rank {
		o.rank[i] = noRank
	}
	for r := range len(order) {
		o.rank[order[r]] = uint8(r)
		if c := order[r]; foldCase && c >= 'A' && c <= 'Z' {
			o.rank[c+'a'-'A'] = uint8(r)
		}
	}
	return o
}

// place is key's place, false when a byte of it is not placed. A fill
// of 0 or more places such a key instead by the characters before that
// byte, the rest of its digits fill: good enough to size the ranges by the
// MIN (fill 0) and the MAX (fill the last rank) of the keys, since the
// first and the last range are open, never to decide a row's range.
func (o *charOrder) place(key string, fill int) (int64, bool) {
	base := int64(len(o.rep))
	var n int64
	placed := 0
	pad := int64(0)
	for i := 0; i < len(key) && placed < charDigits; i++ {
		r := o.rank[key[i]]
		if r == noRank {
			if fill < 0 {
				return 0, false
			}
			pad = int64(fill)
			break
		}
		n = n*base + int64(r)
		placed++
	}
	if fill < 0 {
		for i := placed; i < len(key); i++ {
			if o.rank[key[i]] == noRank {
				return 0, false
			}
		}
	}
	for ; placed < charDigits; placed++ {
		n = n*base + pad
	}
	return n, true
}

// printable reports whether every byte of key has a rank.
func (o *charOrder) printable(key []byte) bool {
	for _, c := range key {
		if o.rank[c] == noRank {
			return false
		}
	}
	return true
}

// text is the bound n as characters (trailing spaces, which compare as
// none, left out), escaped for a quoted literal as the on-demand chunks'
// keys are (literals); the snapshot session takes backslash escapes
// (noBackslashEscapesOff).
func (o *charOrder) text(n int64) string {
	base := int64(len(o.rep))
	var b [charDigits]byte
	for i := charDigits - 1; i >= 0; i-- {
		b[i] = o.rep[min(max(n%base, 0), base-1)]
		n /= base
	}
	s := strings.TrimRight(string(b[:]), " ")
	return gmysql.Escape(s)
}

// charPlace places a character key the binlog (a string) or a SELECT
// ([]byte) gave; fill as for charOrder.place, -1 for a row's key, which
// places a key not of printable ASCII at -1.
func charPlace(k keyKind, v any, fill int) *int64 {
	o := charOrders[k]
	if o == nil {
		return nil
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return nil
	}
	n, ok := o.place(s, fill)
	if !ok {
		n = -1
	}
	return &n
}

// rangeWhere is the condition of the range [lo, hi) of keys of kind k in
// column col (quoted); a bound nil is open. For character keys, the range
// [nil, 0) is the keys not of printable ASCII, found by a REGEXP in the
// column's charset's binary collation bin (no case folding: under a _ci
// one, U+017F, a long s, would match as an s); the other ranges are sent
// such keys too, and leave them out themselves (streamRows), which costs
// the server less than the REGEXP on every row.
func (k keyKind) rangeWhere(col string, lo, hi *int64, bin string) []string {
	if charOrders[k] != nil && lo == nil && hi != nil {
		return []string{"NOT (" + col + " COLLATE " + bin + " REGEXP '^[ -~]*$')"}
	}
	var where []string
	if lo != nil {
		where = append(where, col+" >= "+k.literal(*lo))
	}
	if hi != nil {
		where = append(where, col+" < "+k.literal(*hi))
	}
	return where
}
