package smt

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// javaDateFormat is the part of java.text.SimpleDateFormat that
// TimestampRouter and TimestampConverter need, always in UTC as they set
// it: letters G y Y M L d D E u a H k K h m s S z Z X and quoted text. A
// pattern with any other letter is refused at start, where Java would
// accept it, rather than formatted differently.
type javaDateFormat struct {
	pattern string
	tokens  []dateToken
}

type dateToken struct {
	letter byte // 0: literal
	count  int
	text   string
}

func parseJavaDateFormat(p string) (*javaDateFormat, error) {
	f := &javaDateFormat{pattern: p}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			end := i + 1
			var lit strings.Builder
			for {
				if end >= len(p) {
					return nil, fmt.Errorf("Unterminated quote")
				}
				if p[end] == '\'' {
					if end+1 < len(p) && p[end+1] == '\'' {
						lit.WriteByte('\'')
						end += 2
						continue
					}
					break
				}
				lit.WriteByte(p[end])
				end++
			}
			if end == i+1 {
				lit.WriteByte('\'') // '' is a quote
			}
			f.tokens = append(f.tokens, dateToken{text: lit.String()})
			i = end + 1
		case ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z'):
			if !strings.ContainsRune("GyYMLdDEuaHkKhmsSzZX", rune(c)) {
				return nil, fmt.Errorf("Illegal pattern character '%c' (Sluice supports G y Y M L d D E u a H k K h m s S z Z X)", c)
			}
			n := 1
			for i+n < len(p) && p[i+n] == c {
				n++
			}
			f.tokens = append(f.tokens, dateToken{letter: c, count: n})
			i += n
		default:
			f.tokens = append(f.tokens, dateToken{text: string(c)})
			i++
		}
	}
	return f, nil
}

var (
	monthNames = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	dayNames   = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
)

func pad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

func textOf(name string, count int) string {
	if count >= 4 {
		return name
	}
	return name[:3]
}

// format formats t (UTC) as SimpleDateFormat does.
func (f *javaDateFormat) format(t time.Time) string {
	t = t.UTC()
	var b strings.Builder
	for _, tk := range f.tokens {
		if tk.letter == 0 {
			b.WriteString(tk.text)
			continue
		}
		n := tk.count
		switch tk.letter {
		case 'G':
			b.WriteString("AD")
		case 'y', 'Y':
			if n == 2 {
				b.WriteString(pad(t.Year()%100, 2))
			} else {
				b.WriteString(pad(t.Year(), n))
			}
		case 'M', 'L':
			if n >= 3 {
				b.WriteString(textOf(monthNames[t.Month()-1], n))
			} else {
				b.WriteString(pad(int(t.Month()), n))
			}
		case 'd':
			b.WriteString(pad(t.Day(), n))
		case 'D':
			b.WriteString(pad(t.YearDay(), n))
		case 'E':
			b.WriteString(textOf(dayNames[t.Weekday()], n))
		case 'u':
			b.WriteString(pad((int(t.Weekday())+6)%7+1, n))
		case 'a':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'H':
			b.WriteString(pad(t.Hour(), n))
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b.WriteString(pad(h, n))
		case 'K':
			b.WriteString(pad(t.Hour()%12, n))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(h, n))
		case 'm':
			b.WriteString(pad(t.Minute(), n))
		case 's':
			b.WriteString(pad(t.Second(), n))
		case 'S':
			b.WriteString(pad(t.Nanosecond()/1e6, n))
		case 'z':
			if n >= 4 {
				b.WriteString("Coordinated Universal Time")
			} else {
				b.WriteString("UTC")
			}
		case 'Z':
			b.WriteString("+0000")
		case 'X':
			b.WriteString("Z")
		}
	}
	return b.String()
}

// parse reads s as SimpleDateFormat.parse does (lenient: out-of-range
// fields roll over; text after the pattern is ignored). A number that is
// followed by another numeric field takes exactly its pattern width.
func (f *javaDateFormat) parse(s string) (time.Time, error) {
	year, month, day, hour, minute, sec, ms := 1970, 1, 1, 0, 0, 0, 0
	pm, hasAmPm, hour12 := false, false, false
	pos := 0
	fail := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("Unparseable date: %q", s)
	}
	for i, tk := range f.tokens {
		if tk.letter == 0 {
			if !strings.HasPrefix(s[pos:], tk.text) {
				return fail()
			}
			pos += len(tk.text)
			continue
		}
		switch tk.letter {
		case 'G':
			if !strings.HasPrefix(s[pos:], "AD") {
				return fail()
			}
			pos += 2
			continue
		case 'E', 'a', 'z', 'Z', 'X':
			n, ok := parseText(s[pos:], tk.letter)
			if !ok {
				return fail()
			}
			if tk.letter == 'a' {
				hasAmPm, pm = true, strings.HasPrefix(strings.ToUpper(s[pos:]), "PM")
			}
			pos += n
			continue
		case 'M', 'L':
			if tk.count >= 3 {
				m, n := parseMonthName(s[pos:])
				if n == 0 {
					return fail()
				}
				month, pos = m, pos+n
				continue
			}
		}
		width := len(s) - pos
		if i+1 < len(f.tokens) && isNumericToken(f.tokens[i+1]) {
			width = min(width, tk.count)
		}
		end := pos
		if end < len(s) && (s[end] == '-' || s[end] == '+') && tk.letter == 'y' {
			end++
		}
		for end < len(s) && end-pos < width && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		v, err := strconv.Atoi(s[pos:end])
		if err != nil {
			return fail()
		}
		switch tk.letter {
		case 'y', 'Y':
			year = v
			if tk.count <= 2 && end-pos == 2 {
				year = twoDigitYear(v)
			}
		case 'M', 'L':
			month = v
		case 'd':
			day = v
		case 'D':
			month, day = 1, v
		case 'H', 'k':
			hour = v
		case 'K', 'h':
			hour, hour12 = v%12, true
		case 'm':
			minute = v
		case 's':
			sec = v
		case 'S':
			ms = v
		}
		pos = end
	}
	if hasAmPm && pm && (hour12 || hour < 12) {
		hour += 12
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC).Add(time.Duration(ms) * time.Millisecond), nil
}

func isNumericToken(t dateToken) bool {
	switch t.letter {
	case 'y', 'Y', 'd', 'D', 'u', 'H', 'k', 'K', 'h', 'm', 's', 'S':
		return true
	case 'M', 'L':
		return t.count < 3
	}
	return false
}

// twoDigitYear puts a two-digit year within 80 years before and 20 after
// now, as SimpleDateFormat does.
func twoDigitYear(v int) int {
	now := time.Now().UTC().Year()
	start := now - 80
	y := start - start%100 + v
	if y < start {
		y += 100
	}
	return y
}

func parseMonthName(s string) (month, n int) {
	for i, name := range monthNames {
		for _, cand := range []string{name, name[:3]} {
			if len(s) >= len(cand) && strings.EqualFold(s[:len(cand)], cand) {
				return i + 1, len(cand)
			}
		}
	}
	return 0, 0
}

func parseText(s string, letter byte) (int, bool) {
	var cands []string
	switch letter {
	case 'E':
		for _, d := range dayNames {
			cands = append(cands, d, d[:3])
		}
	case 'a':
		cands = []string{"AM", "PM"}
	case 'z':
		cands = []string{"Coordinated Universal Time", "UTC", "GMT"}
	case 'Z':
		cands = []string{"+0000", "-0000"}
	case 'X':
		cands = []string{"Z", "+00:00", "+0000", "+00"}
	}
	for _, c := range cands {
		if len(s) >= len(c) && strings.EqualFold(s[:len(c)], c) {
			return len(c), true
		}
	}
	return 0, false
}
