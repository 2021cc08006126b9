package smt

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/sluice-cdc/sluice/internal/javaregex"
)

// javaRegexp compiles a Java regex for Matcher.matches() (javaregex.Whole),
// naming the property in its error.
func javaRegexp(o dbzOptions, key, expr string) (*regexp.Regexp, error) {
	re, err := javaregex.Whole(expr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.name(key), err)
	}
	return re, nil
}

// javaReplace is Matcher.replaceFirst on a whole-string match.
func javaReplace(re *regexp.Regexp, s, repl string) (out string, ok bool, err error) {
	return javaregex.Replace(re, s, repl)
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
