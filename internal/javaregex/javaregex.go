// Package javaregex runs the Java regular expressions of Debezium's
// settings (topic routing, key fields) as java.util.regex's
// Matcher.matches and replaceFirst do, on Go's RE2: the whole input must
// match, and replacements use Java's $n, ${name} and \ syntax.
package javaregex

import (
	"fmt"
	"regexp"
	"strings"
)

// Whole compiles expr to match whole strings only, as Matcher.matches()
// does. RE2 covers what topic and key regexes use; a Java-only construct
// (lookaround, backreference) is an error, for the caller to refuse at
// start-up.
func Whole(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + expr + `)$`)
	if err != nil {
		return nil, fmt.Errorf("%q is not a regular expression Sluice can run (RE2 syntax: no lookaround or backreferences): %w", expr, err)
	}
	return re, nil
}

// Replace is Matcher.replaceFirst on a whole-string match (ok is false
// when re does not match s). Java reads as many digits after $ as still
// name a group, and fails on a reference to no group, as this does.
func Replace(re *regexp.Regexp, s, repl string) (out string, ok bool, err error) {
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return "", false, nil
	}
	out, err = expand(re, repl, func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	})
	return out, true, err
}

// CheckReplacement reports the error Replace would meet with repl on any
// match of re, so that a bad replacement is refused before the first
// record needs it.
func CheckReplacement(re *regexp.Regexp, repl string) error {
	_, err := expand(re, repl, func(int) string { return "" })
	return err
}

func expand(re *regexp.Regexp, repl string, group func(int) string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch {
		case c == '\\':
			if i++; i == len(repl) {
				return "", fmt.Errorf("replacement %q: character to be escaped is missing", repl)
			}
			b.WriteByte(repl[i])
		case c != '$':
			b.WriteByte(c)
		case i+1 == len(repl):
			return "", fmt.Errorf("replacement %q: illegal group reference: group index is missing", repl)
		case repl[i+1] == '{':
			end := strings.IndexByte(repl[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("replacement %q: named capturing group is missing trailing '}'", repl)
			}
			name := repl[i+2 : i+end]
			g := re.SubexpIndex(name)
			if g < 0 {
				return "", fmt.Errorf("replacement %q: no group with name {%s}", repl, name)
			}
			b.WriteString(group(g))
			i += end
		case repl[i+1] >= '0' && repl[i+1] <= '9':
			n, j := int(repl[i+1]-'0'), i+2
			if n > re.NumSubexp() {
				return "", fmt.Errorf("replacement %q: no group %d", repl, n)
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
			return "", fmt.Errorf("replacement %q: illegal group reference", repl)
		}
	}
	return b.String(), nil
}
