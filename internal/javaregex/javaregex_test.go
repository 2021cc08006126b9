package javaregex

import (
	"strings"
	"testing"
)

// Replace against what java.util.regex's Matcher.matches and replaceFirst
// give for the same pattern, input and replacement (JDK 17).
func TestReplace(t *testing.T) {
	for _, c := range []struct {
		expr, s, repl string
		out           string
		ok            bool
		err           string
	}{
		{`(.*)\.orders_(\d+)`, "app.shop.orders_01", "$1.orders", "app.shop.orders", true, ""},
		{`(.*)\.orders_(\d+)`, "app.shop.orders_01", "$1_$2", "app.shop_01", true, ""},
		{`(?<db>[^.]+)\.(?<t>.*)`, "shop.t", "${t}@${db}", "t@shop", true, ""},
		{`(.*)`, "x", `\$1 is \\`, `$1 is \`, true, ""},
		// $12 reads as group 1 and a 2 when there is no group 12.
		{`(a)(b)`, "ab", "$12", "a2", true, ""},
		// Whole input only: a partial match is no match.
		{`orders`, "app.orders", "x", "", false, ""},
		{`(a)`, "a", "$2", "", true, "no group 2"},
		{`(a)`, "a", "${b}", "", true, "no group with name {b}"},
		{`(a)`, "a", "${1}", "", true, "no group with name {1}"}, // Java: a name cannot start with a digit
		{`(a)`, "a", "$", "", true, "group index is missing"},
		{`(a)`, "a", `x\`, "", true, "character to be escaped is missing"},
		{`(a)`, "a", "$x", "", true, "illegal group reference"},
	} {
		re, err := Whole(c.expr)
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		out, ok, err := Replace(re, c.s, c.repl)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s on %q with %q: %v, want an error with %q", c.expr, c.s, c.repl, err, c.err)
			}
			if cerr := CheckReplacement(re, c.repl); cerr == nil || cerr.Error() != err.Error() {
				t.Errorf("CheckReplacement(%s, %q) = %v, want %v", c.expr, c.repl, cerr, err)
			}
			continue
		}
		if out != c.out || ok != c.ok || err != nil {
			t.Errorf("%s on %q with %q: %q, %v, %v; want %q, %v", c.expr, c.s, c.repl, out, ok, err, c.out, c.ok)
		}
		if err := CheckReplacement(re, c.repl); err != nil {
			t.Errorf("CheckReplacement(%s, %q): %v", c.expr, c.repl, err)
		}
	}
	if _, err := Whole(`(?=a)b`); err == nil || !strings.Contains(err.Error(), "no lookaround or backreferences") {
		t.Errorf("lookahead: %v", err)
	}
}
