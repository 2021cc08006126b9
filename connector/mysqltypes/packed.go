package mysqltypes

import (
	"fmt"
	"strconv"
)

// PackedDecimal is a DECIMAL value in the binlog's packed form, as the
// binlog's rows decoder hands it over (a pointer into an array of the
// event's) for columns of at most 8 packed bytes (about 16 to 18 digits):
// go-mysql would build its text, which the converter then parsed again, a
// tenth of the CPU of 40-column rows with eight DECIMALs. Precision and scale are the TABLE_MAP's, which the bytes
// follow.
type PackedDecimal struct {
	Bits             uint64 // the packed bytes, big-endian, in the low bytes
	Precision, Scale uint8
}

// SameRaw reports whether other is the same packed DECIMAL: an update's
// after image then takes the before image's converted value.
func (d *PackedDecimal) SameRaw(other any) bool {
	o, ok := other.(*PackedDecimal)
	return ok && d != nil && o != nil && *d == *o
}

// digitBytes is the packed size of a group of fewer than nine digits.
var digitBytes = [9]int{0, 1, 1, 2, 2, 3, 3, 4, 4}

var pow10 = [10]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// PackedDecimalSize is the bytes a DECIMAL(precision, scale) takes in a
// row image: nine digits in four bytes, the rest of the integer part first
// and of the fraction last in as few bytes as hold them.
func PackedDecimalSize(precision, scale int) int {
	intg := precision - scale
	return intg/9*4 + digitBytes[intg%9] + scale/9*4 + digitBytes[scale%9]
}

// Unscaled is the value times 10^Scale. It reads the groups off Bits with
// shifts: the byte-slice form it had moved to the heap (its bytes went to
// the error text), one allocation per DECIMAL cell.
func (d PackedDecimal) Unscaled() (int64, error) {
	p, s := int(d.Precision), int(d.Scale)
	if s > p || p > 18 || PackedDecimalSize(p, s) > 8 || p == 0 {
		return 0, fmt.Errorf("DECIMAL(%d,%d) is not read in packed form", p, s)
	}
	n := PackedDecimalSize(p, s)
	mask := ^uint64(0) >> (64 - 8*n)
	bits := d.Bits & mask
	// The first bit is the sign, set for positive values; a negative
	// value's bytes are all inverted.
	sign := uint64(1) << (8*n - 1)
	neg := bits&sign == 0
	if neg {
		bits = ^bits & mask
	}
	bits &^= sign
	intg := p - s
	u, left, ok := packedGroup(0, bits, 8*n, intg%9, digitBytes[intg%9])
	good := true
	for range intg/9 + s/9 { // the integer part's full groups, then the fraction's: adjacent
		u, left, good = packedGroup(u, bits, left, 9, 4)
		ok = ok && good
	}
	u, _, good = packedGroup(u, bits, left, s%9, digitBytes[s%9])
	if !ok || !good {
		return 0, fmt.Errorf("DECIMAL(%d,%d): packed bytes %0*x hold a group of more digits than it may", p, s, 2*n, d.Bits&mask)
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

// packedGroup reads the next group of a packed decimal, size bytes holding
// digits digits, from the top of the left bits not yet read, into u; ok is
// false when the group holds more digits than it may.
func packedGroup(u, bits uint64, left, digits, size int) (next uint64, rest int, ok bool) {
	rest = left - 8*size
	g := bits >> uint(rest) & (1<<(8*size) - 1)
	return u*pow10[digits] + g, rest, g < pow10[digits]
}

// Text is the value as MySQL prints it: Scale fraction digits, no
// negative zero.
func (d PackedDecimal) Text() (string, error) {
	u, err := d.Unscaled()
	if err != nil {
		return "", err
	}
	neg := u < 0
	if neg {
		u = -u
	}
	digits := strconv.AppendInt(make([]byte, 0, 24), u, 10)
	s := int(d.Scale)
	for len(digits) <= s {
		digits = append([]byte{'0'}, digits...)
	}
	out := make([]byte, 0, len(digits)+2)
	if neg {
		out = append(out, '-')
	}
	out = append(out, digits[:len(digits)-s]...)
	if s > 0 {
		out = append(append(out, '.'), digits[len(digits)-s:]...)
	}
	return string(out), nil
}

// PackedDatetime is a DATETIME value in the binlog's packed form
// (DATETIME2), as the binlog's rows decoder hands it over (a pointer into
// an array of the event's) and the snapshot reads it: go-mysql would
// build a time.Time (or, before 1970, text) for the converter to take the
// epoch from. Dec is the column's fractional digits, which the bytes
// follow.
type PackedDatetime struct {
	Bits uint64 // the 5 to 8 packed bytes, big-endian, in the low bytes
	Dec  uint8
}

// SameRaw reports whether other is the same packed DATETIME.
func (t *PackedDatetime) SameRaw(other any) bool {
	o, ok := other.(*PackedDatetime)
	return ok && t != nil && o != nil && *t == *o
}

// PackedDatetimeSize is the bytes a DATETIME(dec) takes in a row image.
func PackedDatetimeSize(dec int) int { return 5 + (dec+1)/2 }

// Fields are the wall clock's fields, as stored: a zero or partial date
// has zeros, and an invalid one (ALLOW_INVALID_DATES) its day as written.
func (d PackedDatetime) Fields() (year, month, day, hour, minute, second, micro int) {
	fracBytes := PackedDatetimeSize(int(d.Dec)) - 5
	whole := int64(d.Bits>>(8*fracBytes)) - 0x8000000000 // DATETIMEF_INT_OFS
	frac := int(d.Bits & (1<<(8*fracBytes) - 1))
	switch fracBytes {
	case 1:
		micro = frac * 10000
	case 2:
		micro = frac * 100
	case 3:
		micro = frac
	}
	if whole < 0 { // not written by MySQL or MariaDB: read as go-mysql does
		whole = -whole
	}
	ymd, hms := whole>>17, whole&(1<<17-1)
	ym := ymd >> 5
	return int(ym / 13), int(ym % 13), int(ymd & 31), int(hms >> 12), int(hms >> 6 & 63), int(hms & 63), micro
}

// Text is the wall clock as MySQL reads it back in a literal:
// "YYYY-MM-DD hh:mm:ss", and the fraction without trailing zeros.
func (d PackedDatetime) Text() string {
	y, mo, day, h, mi, s, us := d.Fields()
	b := make([]byte, 0, 26)
	b = appendDigits(b, y, 4)
	b = appendDigits(append(b, '-'), mo, 2)
	b = appendDigits(append(b, '-'), day, 2)
	b = appendDigits(append(b, ' '), h, 2)
	b = appendDigits(append(b, ':'), mi, 2)
	b = appendDigits(append(b, ':'), s, 2)
	if us > 0 {
		b = appendDigits(append(b, '.'), us, 6)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return string(b)
}

// appendDigits appends n in width digits, zero-padded.
func appendDigits(b []byte, n, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		b = append(b, 0)
	}
	for i := len(b) - 1; i >= len(b)-width; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}
