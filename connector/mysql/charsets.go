package mysql

import (
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

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

func extraDecoder(charset string) (textDecoder, bool) {
	e, ok := extraEncodings[charset]
	if !ok {
		return textDecoder{}, false
	}
	if e.enc == nil {
		return textDecoder{fn: latin1ToUTF8, asciiSafe: true}, true
	}
	enc := e.enc
	return textDecoder{asciiSafe: e.asciiSafe, fn: func(b []byte) string {
		// A decoder is not safe for concurrent use: one per call. Invalid
		// input decodes to U+FFFD, as Java's decoders do.
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil {
			return utf8Lossy(b)
		}
		return string(out)
	}}, true
}
