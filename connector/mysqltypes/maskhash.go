package mysqltypes

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"regexp"
	"strings"
	"unicode/utf16"
)

// column.mask.hash.ALG.with.salt.SALT and column.mask.hash.v2.ALG.with.salt.SALT
// are Debezium's MaskStrings with a HashValueConverter: a character
// column's converted value is hashed with ALG after the salt's bytes,
// written as lower-case hex, and cut to the column's length when it has
// one. The first form hashes the value as Java serializes a String (the
// stream header, then TC_STRING and the length-prefixed modified UTF-8),
// v2 the value's own bytes. Java takes the salt's and v2's bytes in the
// JVM's default charset, UTF-8 since JDK 18 (and on earlier ones under a
// UTF-8 locale); Sluice always uses UTF-8. A null stays null.
var hashProp = regexp.MustCompile(`^column\.mask\.hash\.(v2\.)?([^.]+)\.with\.salt\.(.+)$`)

// saltedHash is one column.mask.hash property's algorithm and salt.
type saltedHash struct {
	newHash func() hash.Hash
	salt    []byte
	v2      bool
}

// hashAlgorithms are the MessageDigest names of the JDK's SUN provider
// that Go's standard library implements, with the SUN provider's aliases,
// in lower case (Java looks them up ignoring case).
var hashAlgorithms = map[string]func() hash.Hash{
	"md5":   md5.New,
	"sha-1": sha1.New, "sha1": sha1.New, "sha": sha1.New,
	"sha-224": sha256.New224, "sha224": sha256.New224,
	"sha-256": sha256.New, "sha256": sha256.New,
	"sha-384": sha512.New384, "sha384": sha512.New384,
	"sha-512": sha512.New, "sha512": sha512.New,
	"sha-512/224": sha512.New512_224, "sha512/224": sha512.New512_224,
	"sha-512/256": sha512.New512_256, "sha512/256": sha512.New512_256,
	"sha3-224": func() hash.Hash { return sha3.New224() },
	"sha3-256": func() hash.Hash { return sha3.New256() },
	"sha3-384": func() hash.Hash { return sha3.New384() },
	"sha3-512": func() hash.Hash { return sha3.New512() },
}

// parseHashProp reads a column.mask.hash property name: ok is false for
// any other property.
func parseHashProp(k string) (h *saltedHash, ok bool, err error) {
	if !strings.HasPrefix(k, "column.mask.hash.") {
		return nil, false, nil
	}
	m := hashProp.FindStringSubmatch(k)
	if m == nil {
		return nil, true, fmt.Errorf("property %q is not column.mask.hash.<algorithm>.with.salt.<salt> or column.mask.hash.v2.<algorithm>.with.salt.<salt>, e.g. column.mask.hash.SHA-256.with.salt.CzQMA0cB5K", k)
	}
	newHash, known := hashAlgorithms[strings.ToLower(m[2])]
	if !known {
		return nil, true, fmt.Errorf("property %q: %q is not a hash algorithm Sluice has; use MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512, SHA-512/224, SHA-512/256 or SHA3-224 to SHA3-512", k, m[2])
	}
	return &saltedHash{newHash: newHash, salt: []byte(m[3]), v2: m[1] != ""}, true, nil
}

// converter runs conv, then hashes a string result, cut to length when it
// is positive (Debezium's TruncatingValueConverter after the hash).
func (h *saltedHash) converter(conv func(any) (any, error), length int) func(any) (any, error) {
	return func(v any) (any, error) {
		out, err := conv(v)
		if err != nil || out == nil {
			return out, err
		}
		s, ok := out.(string)
		if !ok {
			return nil, fmt.Errorf("column.mask.hash: a %T value where a string was due", out)
		}
		sum := h.sum(s)
		if length > 0 && len(sum) > length {
			sum = sum[:length] // hex digits: one UTF-16 unit each
		}
		return sum, nil
	}
}

// sum is the hex digest of the salt and the value's bytes.
func (h *saltedHash) sum(s string) string {
	d := h.newHash()
	d.Write(h.salt)
	if h.v2 {
		d.Write([]byte(s))
	} else {
		d.Write(javaSerializedString(s))
	}
	return hex.EncodeToString(d.Sum(nil))
}

// javaSerializedString is what a fresh ObjectOutputStream holds after
// writeObject(s): STREAM_MAGIC, STREAM_VERSION, then TC_STRING with a
// two-byte length or, past 65,535 bytes, TC_LONGSTRING with an eight-byte
// one, and s in Java's modified UTF-8.
func javaSerializedString(s string) []byte {
	m := modifiedUTF8(s)
	out := make([]byte, 0, len(m)+13)
	out = append(out, 0xAC, 0xED, 0x00, 0x05)
	if len(m) <= 0xFFFF {
		out = append(out, 0x74)
		out = binary.BigEndian.AppendUint16(out, uint16(len(m)))
	} else {
		out = append(out, 0x7C)
		out = binary.BigEndian.AppendUint64(out, uint64(len(m)))
	}
	return append(out, m...)
}

// modifiedUTF8 is DataOutput.writeUTF's encoding: each UTF-16 unit on its
// own, NUL in two bytes, a supplementary character as its two surrogates
// of three bytes each.
func modifiedUTF8(s string) []byte {
	out := make([]byte, 0, len(s))
	put := func(c rune) {
		switch {
		case c >= 0x01 && c <= 0x7F:
			out = append(out, byte(c))
		case c <= 0x7FF:
			out = append(out, byte(0xC0|c>>6), byte(0x80|c&0x3F))
		default:
			out = append(out, byte(0xE0|c>>12), byte(0x80|(c>>6)&0x3F), byte(0x80|c&0x3F))
		}
	}
	for _, r := range s {
		if r >= 0x10000 {
			hi, lo := utf16.EncodeRune(r)
			put(hi)
			put(lo)
			continue
		}
		put(r)
	}
	return out
}
