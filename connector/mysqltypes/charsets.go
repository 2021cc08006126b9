package mysqltypes

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// DecoderFor returns how a column's bytes in a character set become UTF-8
// text, as Debezium decodes them with the Java charset its
// charset_mappings.json names. "" is utf8mb4.
func DecoderFor(charset string) (TextDecoder, error) {
	switch strings.ToLower(charset) {
	case "", "utf8", "utf8mb3", "utf8mb4":
		return TextDecoder{fn: DecodeUTF8, utf8: true, asciiSafe: true}, nil
	case "latin1":
		return TextDecoder{fn: latin1ToUTF8, asciiSafe: true}, nil
	case "ascii":
		return TextDecoder{fn: asciiToUTF8, asciiSafe: true}, nil
	}
	if dec, ok := extraDecoder(strings.ToLower(charset)); ok {
		return dec, nil
	}
	return TextDecoder{}, fmt.Errorf("character set %q is not one Sluice can decode; convert the column to utf8mb4 or exclude the table with table.exclude.list", charset)
}

// TextDecoder turns one character set's bytes into UTF-8 text. Invalid
// input decodes to U+FFFD, as Java's decoders do. The zero value is not
// usable; get one from DecoderFor. It is safe for concurrent use.
type TextDecoder struct {
	fn        func([]byte) string
	utf8      bool
	asciiSafe bool // ASCII bytes decode to themselves
}

// IsUTF8 reports whether the character set is UTF-8 (utf8mb3 or utf8mb4).
func (d TextDecoder) IsUTF8() bool { return d.utf8 }

// String decodes s, which holds the character set's bytes.
func (d TextDecoder) String(s string) string {
	if d.Keeps(s) {
		return s
	}
	return d.fn([]byte(s))
}

// Keeps reports whether s decodes to itself (String returns s).
func (d TextDecoder) Keeps(s string) bool {
	return d.asciiSafe && isASCII(s) || d.utf8 && utf8.ValidString(s)
}

// Bytes decodes b.
func (d TextDecoder) Bytes(b []byte) string {
	if d.utf8 && utf8.Valid(b) {
		return string(b)
	}
	return d.fn(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// DecodeUTF8 is Java's new String(bytes, UTF_8): each invalid byte becomes
// U+FFFD.
func DecodeUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		out = utf8.AppendRune(out, r)
		b = b[n:]
	}
	return string(out)
}

// windows1252 is Java's Cp1252 decoder, which Debezium uses for MySQL's
// latin1: the five bytes Cp1252 leaves undefined decode to U+FFFD.
var windows1252 = [32]rune{
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
}

func latin1ToUTF8(b []byte) string {
	out := make([]byte, 0, len(b)*2)
	for _, c := range b {
		r := rune(c)
		if c >= 0x80 && c <= 0x9F {
			r = windows1252[c-0x80]
		}
		out = utf8.AppendRune(out, r)
	}
	return string(out)
}

func asciiToUTF8(b []byte) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 0x80 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, c)
		}
	}
	return string(out)
}

// extraEncodings are the MySQL/MariaDB character sets other than utf8*,
// latin1 and ascii that Sluice decodes, each with the decoder of the Java
// charset Debezium's charset_mappings.json picks for it (latin1's
// look-alikes swe7, hp8, dec8, armscii8 and geostd8 are Cp1252 there too;
// cp932 is GB2312 there, sic).
var extraEncodings = map[string]struct {
	enc       encoding.Encoding
	asciiSafe bool
}{
	"swe7": {nil, true}, "hp8": {nil, true}, "dec8": {nil, true}, "armscii8": {nil, true}, "geostd8": {nil, true},
	"latin2": {charmap.ISO8859_2, true}, "greek": {charmap.ISO8859_7, true}, "latin7": {charmap.ISO8859_13, true},
	"hebrew": {charmap.ISO8859_8, true}, "latin5": {charmap.ISO8859_9, true},
	"cp850": {charmap.CodePage850, true}, "cp852": {charmap.CodePage852, true}, "keybcs2": {charmap.CodePage852, true},
	"cp866": {charmap.CodePage866, true}, "koi8r": {charmap.KOI8R, true}, "koi8u": {charmap.KOI8R, true},
	"cp1250": {charmap.Windows1250, true}, "cp1251": {charmap.Windows1251, true}, "cp1256": {charmap.Windows1256, true},
	"cp1257": {charmap.Windows1257, true}, "macroman": {charmap.Macintosh, true},
	"big5": {traditionalchinese.Big5, true}, "gbk": {simplifiedchinese.GBK, true}, "gb2312": {simplifiedchinese.GBK, true},
	"cp932": {simplifiedchinese.GBK, true}, "gb18030": {simplifiedchinese.GB18030, true},
	"sjis": {japanese.ShiftJIS, true}, "ujis": {japanese.EUCJP, true}, "eucjpms": {japanese.EUCJP, true},
	"euckr":   {korean.EUCKR, true},
	"ucs2":    {unicode.UTF16(unicode.BigEndian, unicode.UseBOM), false},
	"utf16":   {unicode.UTF16(unicode.BigEndian, unicode.UseBOM), false},
	"utf16le": {unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), false},
	"utf32":   {utf32.UTF32(utf32.BigEndian, utf32.UseBOM), false},
}

func extraDecoder(charset string) (TextDecoder, bool) {
	e, ok := extraEncodings[charset]
	if !ok {
		return TextDecoder{}, false
	}
	if e.enc == nil {
		return TextDecoder{fn: latin1ToUTF8, asciiSafe: true}, true
	}
	enc := e.enc
	return TextDecoder{asciiSafe: e.asciiSafe, fn: func(b []byte) string {
		// A decoder is not safe for concurrent use: one per call. Invalid
		// input decodes to U+FFFD, as Java's decoders do.
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil {
			return DecodeUTF8(b)
		}
		return string(out)
	}}, true
}
