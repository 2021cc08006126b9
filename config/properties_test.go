package config

import (
	"strings"
	"testing"
)

func TestParseProperties(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []Property
	}{
		{"equals", "a=b", []Property{{"a", "b", 1}}},
		{"colon", "a: b", []Property{{"a", "b", 1}}},
		{"blank separator", "a   b", []Property{{"a", "b", 1}}},
		{"blanks around =", "  a  =  b", []Property{{"a", "b", 1}}},
		{"only first separator counts", "a=b=c:d", []Property{{"a", "b=c:d", 1}}},
		{"blank then = is one separator", "a = =b", []Property{{"a", "=b", 1}}},
		{"trailing blanks kept", "a=b  ", []Property{{"a", "b  ", 1}}},
		{"empty value", "a=", []Property{{"a", "", 1}}},
		{"key only", "a", []Property{{"a", "", 1}}},
		{"comments", "# c\n! c\n   # indented\na=b", []Property{{"a", "b", 4}}},
		{"hash inside value is not a comment", "a=b # c", []Property{{"a", "b # c", 1}}},
		{"blank lines", "\n\n  \t\na=b\n\n", []Property{{"a", "b", 4}}},
		{"CRLF and CR", "a=1\r\nb=2\rc=3", []Property{{"a", "1", 1}, {"b", "2", 2}, {"c", "3", 3}}},
		{"continuation", "a=one,\\\n    two,\\\n\tthree", []Property{{"a", "one,two,three", 1}}},
		{"continuation in CRLF file", "a=x\\\r\n  y\r\nb=z", []Property{{"a", "xy", 1}, {"b", "z", 3}}},
		{"even backslashes do not continue", "a=x\\\\\nb=y", []Property{{"a", `x\`, 1}, {"b", "y", 2}}},
		{"continued line starting with # is value", "a=x\\\n  #y", []Property{{"a", "x#y", 1}}},
		{"comment line does not continue", "# c \\\na=b", []Property{{"a", "b", 2}}},
		{"empty continuation line ends it", "a=x\\\n\nb=y", []Property{{"a", "x", 1}, {"b", "y", 3}}},
		{"continuation at end of file", "a=x\\", []Property{{"a", "x", 1}}},
		{"escaped separators in key", `a\=b\:c\ d=e`, []Property{{"a=b:c d", "e", 1}}},
		{"escapes in value", `a=t\tn\nr\rf\f\\x\q`, []Property{{"a", "t\tn\nr\rf\f\\xq", 1}}},
		{"unicode escape", `a=caf\u00e9 \u20AC`, []Property{{"a", "café €", 1}}},
		{"surrogate pair", `a=\uD83D\uDE00`, []Property{{"a", "😀", 1}}},
		{"utf-8 passes through", "a=café", []Property{{"a", "café", 1}}},
		{"duplicates kept in order", "a=1\na=2", []Property{{"a", "1", 1}, {"a", "2", 2}}},
		{"windows path", `p=C:\\dir\\file`, []Property{{"p", `C:\dir\file`, 1}}},
		{"jaas config", `producer.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \` + "\n" + `    username="u" password="p";`,
			[]Property{{"producer.sasl.jaas.config", `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`, 1}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseProperties([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("[%d] got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParsePropertiesErrors(t *testing.T) {
	for in, want := range map[string]string{
		"a=1\nb=\\u12":   `line 2: malformed \uXXXX escape "\\u12"`,
		"a=\\uZZZZ":      `line 1: malformed \uXXXX escape "\\uZZZZ"`,
		"\n\nk\\u00g1=v": `line 3: malformed \uXXXX escape`,
	} {
		_, err := ParseProperties([]byte(in))
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%q: got %v, want %s", in, err, want)
		}
	}
}
