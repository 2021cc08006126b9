package smt

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
)

// javaRegexp compiles a Java regex for Matcher.matches(): the whole input
// must match. Go's RE2 syntax covers what topic and key regexes use; a
// Java-only construct (lookaround, backreference) is refused at start-up.
func javaRegexp(o dbzOptions, key, expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("%s: %q is not a regular expression Sluice can run (RE2 syntax: no lookaround or backreferences): %w", o.name(key), expr, err)
	}
	return re, nil
}

// javaReplace is Matcher.replaceFirst on a whole-string match: repl uses
// Java's syntax, $n and ${name} for groups and \ to quote the next
// character. Java reads as many digits after $ as still name a group, and
// fails on a reference to no group, as this does (ok is false when the
// regex does not match).
func javaReplace(re *regexp.Regexp, s, repl string) (out string, ok bool, err error) {
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return "", false, nil
	}
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '\\':
			if i++; i == len(repl) {
				return "", true, fmt.Errorf("replacement %q: character to be escaped is missing", repl)
			}
			b.WriteByte(repl[i])
		case c != '$':
			b.WriteByte(c)
		case i+1 == len(repl):
			return "", true, fmt.Errorf("replacement %q: illegal group reference: group index is missing", repl)
		case repl[i+1] == '{':
			end := strings.IndexByte(repl[i:], '}')
			if end < 0 {
				return "", true, fmt.Errorf("replacement %q: named capturing group is missing trailing '}'", repl)
			}
			name := repl[i+2 : i+end]
			g := re.SubexpIndex(name)
			if g < 0 {
				return "", true, fmt.Errorf("replacement %q: no group with name {%s}", repl, name)
			}
			b.WriteString(group(g))
			i += end
		case repl[i+1] >= '0' && repl[i+1] <= '9':
			n, j := int(repl[i+1]-'0'), i+2
			if n > re.NumSubexp() {
				return "", true, fmt.Errorf("replacement %q: no group %d", repl, n)
			}
			for ; j < len(repl) && repl[j] >= '0' && repl[j] <= '9'; j++ {
				next := n*10 + int(repl[j]-'0')
				if next > re.NumSubexp() {
					break
				}
				n = next
			}
			b.WriteString(group(n))
			i = j - 1
		default:
			return "", true, fmt.Errorf("replacement %q: illegal group reference", repl)
		}
	}
	return b.String(), true, nil
}

// schemaNameAdjuster is schema.name.adjustment.mode: none, avro (invalid
// characters become _, a leading digit is kept after it) or avro_unicode
// (_uXXXX escapes). It works on UTF-16 units, as Java's chars.
func schemaNameAdjuster(mode string) func(string) string {
	switch mode {
	case "avro":
		return func(s string) string { return adjustName(s, false) }
	case "avro_unicode":
		return func(s string) string { return adjustName(s, true) }
	}
	return func(s string) string { return s }
}

func adjustName(s string, unicodeEscapes bool) string {
	units := utf16.Encode([]rune(s))
	var b strings.Builder
	for i, c := range units {
		first := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' && !unicodeEscapes
		if first || i > 0 && (c == '.' || c >= '0' && c <= '9') {
			b.WriteRune(rune(c))
			continue
		}
		if !unicodeEscapes {
			b.WriteByte('_')
			if i == 0 && unicode.IsDigit(rune(c)) {
				b.WriteRune(rune(c))
			}
			continue
		}
		hex := strconv.FormatUint(uint64(c), 16)
		if len(hex) <= 2 {
			hex = "00" + hex
		}
		b.WriteString("_u" + hex)
	}
	return b.String()
}
