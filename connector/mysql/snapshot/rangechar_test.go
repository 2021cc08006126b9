package snapshot

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// padCompare compares two placeable keys as a PAD SPACE collation does:
// by their characters' ranks, the shorter key padded with spaces.
func padCompare(o *charOrder, a, b string) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		ra, rb := o.rank[' '], o.rank[' ']
		if i < len(a) {
			ra = o.rank[a[i]]
		}
		if i < len(b) {
			rb = o.rank[b[i]]
		}
		if ra != rb {
			return int(ra) - int(rb)
		}
	}
	return 0
}

// A character key's place orders keys as the collation does against
// every bound the ranges can use, whatever the keys' lengths, case and
// trailing spaces: each key falls in the range whose SQL bounds hold it.
func TestCharPlaceOrdersAsTheCollation(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	unescape := strings.NewReplacer(`\\`, `\`, `\'`, `'`, `\"`, `"`)
	for kind, o := range charOrders {
		alphabet := "aAbB _-~`[\\]'\"0z" // few characters, so that keys share long prefixes
		key := func() string {
			b := make([]byte, rng.Intn(14))
			for i := range b {
				b[i] = alphabet[rng.Intn(len(alphabet))]
			}
			return string(b)
		}
		var bounds []int64
		for range 300 {
			n, ok := o.place(key(), -1)
			if !ok {
				t.Fatalf("%s: a key of printable ASCII is not placed", kind)
			}
			bounds = append(bounds, n)
		}
		slices.Sort(bounds)
		for _, b := range bounds {
			text := unescape.Replace(o.text(b))
			if n, _ := o.place(text, -1); n != b {
				t.Fatalf("%s: bound %d written as %q is placed at %d", kind, b, text, n)
			}
		}
		for range 20000 {
			k := key()
			n, _ := o.place(k, -1)
			b := bounds[rng.Intn(len(bounds))]
			text := unescape.Replace(o.text(b))
			if got, want := n >= b, padCompare(o, k, text) >= 0; got != want {
				t.Fatalf("%s: key %q placed %d, bound %q (%d): at or after the bound %v, the collation says %v", kind, k, n, text, b, got, want)
			}
		}
	}
}

// Keys with a byte that is not printable ASCII are placed at -1; the
// lenient placement that sizes the ranges takes the characters before it.
func TestCharPlaceLeavesOthersOut(t *testing.T) {
	o := charOrders[keyCharGeneral]
	for _, k := range []string{"caf\xc3\xa9", "a\tb", "\x00", "abc\x7f"} {
		if p := charPlace(keyCharGeneral, k, -1); p == nil || *p != -1 {
			t.Errorf("%q placed at %v; want -1", k, p)
		}
		lenient := charPlace(keyCharGeneral, []byte(k), 0)
		prefix, _, _ := strings.Cut(strings.Map(func(r rune) rune {
			if r < ' ' || r > '~' {
				return 0
			}
			return r
		}, k), "\x00")
		if want, _ := o.place(prefix, -1); lenient == nil || *lenient != want {
			t.Errorf("%q sized at %v; want %d (%q)", k, lenient, want, prefix)
		}
	}
	last := int64(1)
	for range charDigits {
		last *= int64(len(o.rep))
	}
	if top, _ := o.place("~\xc3\xa9", len(o.rep)-1); top != last-1 {
		t.Errorf("a MAX of '~' and an accent sized at %d; want the last place", top)
	}
	if a, b := charPlace(keyCharGeneral, "Ab", -1), charPlace(keyCharGeneral, "aB  ", -1); *a != *b {
		t.Errorf("'Ab' at %d, 'aB  ' at %d; want one place", *a, *b)
	}
	if a, b := charPlace(keyCharBinary, "Ab", -1), charPlace(keyCharBinary, "aB", -1); *a >= *b {
		t.Errorf("binary 'Ab' at %d, 'aB' at %d; want 'Ab' first", *a, *b)
	}
}
