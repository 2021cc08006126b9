package javafmt

import (
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

const upperHex = "0123456789ABCDEF"

// escapes holds Jackson's escapes for ASCII (CharTypes.sOutputEscapes128):
// 0 = as is, 'u' = \u00XX, other = backslash + that byte.
var escapes = func() (t [utf8.RuneSelf]byte) {
	for i := 0; i < 0x20; i++ {
		t[i] = 'u'
	}
	t['"'] = '"'
	t['\\'] = '\\'
	t['\b'] = 'b'
	t['\t'] = 't'
	t['\f'] = 'f'
	t['\n'] = 'n'
	t['\r'] = 'r'
	return t
}()

// AppendJSONString appends s as a JSON string the way Jackson writes a Java
// string with default features: \" \\ \b \t \f \n \r, other control
// characters as \u00XX (upper-case hex), "/" and DEL unescaped, non-ASCII in
// the Basic Multilingual Plane as UTF-8. Jackson's byte-stream generator
// (UTF8JsonGenerator: Kafka Connect's JsonConverter and offset writer)
// writes a character beyond it as its UTF-16 surrogate pair escaped ("😀" is
// \uD83D\uDE00); the writer-based one (Debezium's document writer,
// mysql-binlog-connector-java's JSON formatter) writes it raw:
// escapeSupplementary chooses. Invalid UTF-8 becomes U+FFFD (a Java String
// cannot hold it in the first place).
func AppendJSONString(b []byte, s string, escapeSupplementary bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Skip eight plain ASCII bytes at a time: the common case. Else
		// go straight to the first byte that needs a look: one test per
		// escape instead of one per byte after it (a Vitess VGTID, a
		// quote every few bytes, took a fifth of the daemon's CPU).
		if i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			m := escapeMask8(x)
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if e := escapes[c]; e != 0 {
				b = append(b, s[start:i]...)
				if e == 'u' {
					b = append(b, '\\', 'u', '0', '0', upperHex[c>>4], upperHex[c&0xF])
				} else {
					b = append(b, '\\', e)
				}
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			start = i + 1
		case size == 4 && escapeSupplementary:
			// Jackson writes a Java String's surrogate pair as two escapes
			// (JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8 is off
			// by default in 2.x).
			b = append(b, s[start:i]...)
			hi, lo := utf16.EncodeRune(r)
			b = appendU4(b, hi)
			b = appendU4(b, lo)
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// escapeMask8 has the top bit of a byte of x set where that byte may be a
// control character, '"', '\\' or not ASCII, and is zero when none is.
// Each term is the classic "has a byte less than n" / "has a zero byte"
// test: exact for whether any byte matches, and for the lowest one that
// does (a borrow only makes false matches above a true one).
func escapeMask8(x uint64) uint64 {
	q := x ^ ('"' * lsb)
	bs := x ^ ('\\' * lsb)
	return ((x-0x20*lsb)&^x | (q-lsb)&^q | (bs-lsb)&^bs | x) & msb
}

func appendU4(b []byte, r rune) []byte {
	return append(b, '\\', 'u', upperHex[r>>12&0xF], upperHex[r>>8&0xF], upperHex[r>>4&0xF], upperHex[r&0xF])
}
