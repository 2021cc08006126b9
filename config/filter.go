package config

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
)

// nameFilter is one of Debezium's include or exclude lists, compiled. A nil
// *nameFilter lets every name through.
//
// Debezium (io.debezium.function.Predicates) matches each pattern against the
// whole name (Matcher.matches), case-insensitively; an include list keeps the
// names some pattern matches, an exclude list keeps the others.
type nameFilter struct {
	include  bool
	patterns []*regexp.Regexp
}

func (f *nameFilter) allows(name string) bool {
	if f == nil {
		return true
	}
	for _, p := range f.patterns {
		if p.MatchString(name) {
			return f.include
		}
	}
	return !f.include
}

// splitRegexList splits a comma-separated list of regular expressions the way
// Debezium's Strings.RegExSplitter does: a comma preceded by a backslash does
// not separate (and loses its backslash), other escapes are kept for the
// regex, each part is trimmed, and empty parts are dropped. So a quantifier
// such as {1,3} has to be written {1\,3}, exactly as in Debezium.
func splitRegexList(s string) ([]string, error) {
	var (
		parts []string
		start int
	)
	add := func(p string) {
		p = strings.TrimSpace(strings.ReplaceAll(p, `\,`, ","))
		if p != "" {
			parts = append(parts, p)
		}
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return nil, errors.New("ends in an unterminated escape (a lone backslash)")
			}
			i++
		case ',':
			add(s[start:i])
			start = i + 1
		}
	}
	add(s[start:])
	return parts, nil
}

// compileJavaRegex compiles a Debezium (java.util.regex) pattern as an
// anchored, case-insensitive Go regexp, or explains why Go cannot run it the
// same way.
func compileJavaRegex(p string) (*regexp.Regexp, error) {
	if hint := javaOnlySyntax(p); hint != "" {
		return nil, errors.New(hint)
	}
	re, err := regexp.Compile(`(?i)^(?:` + p + `)$`)
	if err != nil {
		var se *syntax.Error
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s %q", se.Code, se.Expr)
		}
		return nil, err
	}
	return re, nil
}

// javaOnlySyntax finds constructs that Go's RE2 either rejects with an
// unhelpful message or, worse, accepts with another meaning.
func javaOnlySyntax(p string) string {
	inClass := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			switch p[i+1] {
			case 'Z':
				return `\Z (end before a final line terminator) is Java-only; use $`
			case 'G':
				return `\G is Java-only`
			case 'h', 'H':
				return `\h and \H (horizontal whitespace) are Java-only; use [ \t]`
			case 'R':
				return `\R (any line break) is Java-only`
			case 'k':
				return `named backreferences \k<name> are not supported`
			}
			if p[i+1] >= '1' && p[i+1] <= '9' && inClass == 0 {
				return `backreferences such as \1 are not supported`
			}
			i++
		case c == '[':
			if inClass > 0 && i+1 < len(p) && p[i+1] == ':' {
				// POSIX class [[:alpha:]], the same in both.
				end := strings.Index(p[i:], ":]")
				if end > 0 {
					i += end + 1
					continue
				}
			}
			inClass++
			// A ']' right after '[' or '[^' is a literal in both dialects.
			if i+1 < len(p) && p[i+1] == '^' {
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				i++
			}
		case c == ']' && inClass > 0:
			inClass--
		case c == '&' && inClass > 0 && i+1 < len(p) && p[i+1] == '&':
			return `character class intersection (&&) is Java-only; Go would read it as literal characters`
		case c == '(' && inClass == 0 && i+2 < len(p) && p[i+1] == '?':
			switch p[i+2] {
			case '=', '!':
				return "lookahead (?= or (?! is not supported"
			case '>':
				return "atomic groups (?> are not supported"
			case '<':
				if i+3 < len(p) && (p[i+3] == '=' || p[i+3] == '!') {
					return "lookbehind (?<= or (?<! is not supported"
				}
			}
		case (c == '+') && inClass == 0 && i > 0 && strings.IndexByte("*+?", p[i-1]) >= 0 && (i < 2 || p[i-2] != '\\'):
			return "possessive quantifiers (*+, ++, ?+) are not supported"
		}
	}
	return ""
}

// javaRegexHint ends every regex error: Sluice runs Debezium's patterns with
// Go's RE2 engine, which is a subset of java.util.regex.
const javaRegexHint = "Sluice runs these patterns with Go's RE2 engine, which has no lookaround, backreferences, possessive quantifiers, atomic groups or class intersection; rewrite the pattern without them (a comma inside a pattern must be written \\,)"
