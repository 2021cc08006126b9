package javafmt

import (
	"math/rand"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// appendJSONStringRef is AppendJSONString one character at a time, with
// no skipping ahead: what the fast path must equal.
func appendJSONStringRef(b []byte, s string, escapeSupplementary bool) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch e := escapes[c]; e {
			case 0:
				b = append(b, c)
			case 'u':
				b = append(b, '\\', 'u', '0', '0', upperHex[c>>4], upperHex[c&0xF])
			default:
				b = append(b, '\\', e)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, "\uFFFD"...)
		case size == 4 && escapeSupplementary:
			hi, lo := utf16.EncodeRune(r)
			b = appendU4(appendU4(b, hi), lo)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// The fast path writes what the reference writes, for strings dense and
// sparse in what needs escaping, at every offset within eight bytes.
func TestAppendJSONStringMatchesReference(t *testing.T) {
	pieces := []string{"a", "bcdefgh", "\"", "\\", "\n", "\x00", "\x1f", "\x7f", "/", "é", "€", "😀", "\xff", "\xe2\x82", " ", "0123456789"}
	rng := rand.New(rand.NewSource(7))
	cases := []string{"", "plain ascii only, longer than eight bytes",
		`[{"keyspace":"test_keyspace","shard":"-80","gtid":"MariaDB/0-1-12345"},{"keyspace":"test_keyspace","shard":"80-","gtid":"MariaDB/0-1-678"}]`}
	for n := 0; n < 20000; n++ {
		var sb strings.Builder
		for k := rng.Intn(24); k > 0; k-- {
			sb.WriteString(pieces[rng.Intn(len(pieces))])
		}
		cases = append(cases, sb.String())
	}
	for _, s := range cases {
		for _, sup := range []bool{false, true} {
			got, want := AppendJSONString([]byte("x"), s, sup), appendJSONStringRef([]byte("x"), s, sup)
			if string(got) != string(want) {
				t.Fatalf("%q (escapeSupplementary %v): wrote %s, want %s", s, sup, got, want)
			}
		}
	}
}

func BenchmarkAppendJSONString(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"vgtid", `[{"keyspace":"test_keyspace","shard":"-80","gtid":"MariaDB/0-1-12345","table_p_ks":[]},{"keyspace":"test_keyspace","shard":"80-","gtid":"MariaDB/0-1-678","table_p_ks":[]}]`},
		{"plain", "a plain ASCII value of about sixty bytes, nothing to escape."},
	} {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]byte, 0, 512)
			b.SetBytes(int64(len(c.s)))
			for b.Loop() {
				buf = AppendJSONString(buf[:0], c.s, false)
			}
		})
	}
}
