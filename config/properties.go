package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Property is one key/value pair read from a .properties file. Line is the
// 1-based line on which the pair's logical line starts.
type Property struct {
	Key, Value string
	Line       int
}

// ParseProperties reads the text of a Java .properties file the way
// java.util.Properties.load does, which is how Kafka Connect reads its worker
// files:
//
//   - a line whose first non-blank character is '#' or '!' is a comment (only
//     at the start of a line: "a=b # c" has the value "b # c");
//   - a line ending in an odd number of backslashes continues on the next
//     line, whose leading blanks are dropped;
//   - the key ends at the first unescaped '=', ':' or blank; blanks around
//     the separator are dropped, trailing blanks of the value are kept;
//   - escapes: \t \n \r \f, \uXXXX, and backslash before any other character
//     stands for that character (so "\=" "\:" "\ " "\\" "\#").
//
// Pairs are returned in file order; a repeated key appears twice (the caller
// decides that the last one wins). The text is taken as UTF-8 (Java reads
// ISO-8859-1, but in practice these files are ASCII or UTF-8).
func ParseProperties(data []byte) ([]Property, error) {
	var (
		out  []Property
		text = string(data)
		pos  = 0
		line = 0
	)
	// nextLine returns the next natural line without its terminator.
	nextLine := func() (string, bool) {
		if pos >= len(text) {
			return "", false
		}
		line++
		end := strings.IndexAny(text[pos:], "\r\n")
		if end < 0 {
			s := text[pos:]
			pos = len(text)
			return s, true
		}
		s := text[pos : pos+end]
		pos += end + 1
		if text[pos-1] == '\r' && pos < len(text) && text[pos] == '\n' {
			pos++
		}
		return s, true
	}
	for {
		nat, ok := nextLine()
		if !ok {
			break
		}
		start := line
		s := strings.TrimLeft(nat, " \t\f")
		if s == "" || s[0] == '#' || s[0] == '!' {
			continue
		}
		// Join continuation lines.
		var logical strings.Builder
		for {
			if !endsInContinuation(s) {
				logical.WriteString(s)
				break
			}
			logical.WriteString(s[:len(s)-1])
			next, ok := nextLine()
			if !ok {
				break
			}
			s = strings.TrimLeft(next, " \t\f")
			if s == "" {
				// Java ends the logical line at an empty continuation line.
				break
			}
		}
		key, value, err := splitProperty(logical.String())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", start, err)
		}
		out = append(out, Property{Key: key, Value: value, Line: start})
	}
	return out, nil
}

// endsInContinuation reports whether s ends in an odd number of backslashes.
func endsInContinuation(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitProperty splits one logical line into its unescaped key and value.
func splitProperty(s string) (key, value string, err error) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		i++
	}
	if i > len(s) {
		i = len(s)
	}
	rawKey := s[:i]
	rest := s[i:]
	rest = strings.TrimLeft(rest, " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	if key, err = unescapeProperty(rawKey); err != nil {
		return "", "", err
	}
	if value, err = unescapeProperty(rest); err != nil {
		return "", "", err
	}
	return key, value, nil
}

func unescapeProperty(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			break // a lone trailing backslash (continuation at end of file) stands for nothing
		}
		switch c = s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if len(s)-(i+1) < 4 {
				return "", fmt.Errorf(`malformed \uXXXX escape %q`, s[i-1:])
			}
			r, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
			if err != nil {
				return "", fmt.Errorf(`malformed \uXXXX escape %q`, s[i-1:i+5])
			}
			i += 4
			// Java strings are UTF-16: join a surrogate pair written as two escapes.
			if r >= 0xD800 && r < 0xDC00 && len(s)-(i+1) >= 6 && s[i+1] == '\\' && s[i+2] == 'u' {
				if lo, err := strconv.ParseUint(s[i+3:i+7], 16, 32); err == nil && lo >= 0xDC00 && lo < 0xE000 {
					b.WriteRune(rune(0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)))
					i += 6
					continue
				}
			}
			b.WriteRune(rune(r))
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
