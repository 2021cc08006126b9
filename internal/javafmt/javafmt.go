// Package javafmt formats numbers the way the Java library does, for the
// converters that must write what Kafka Connect writes: Double.toString,
// Float.toString and BigDecimal.toString.
//
// Doubles and floats follow the JDK 19+ specification of Double.toString /
// Float.toString (JDK-4511638): the shortest decimal that rounds to the value,
// the closest one when several are as short, and two digits considered when
// one would do (Double.MIN_VALUE is 4.9E-324). JDK 17 and older use an older
// algorithm that is sometimes not shortest: 1.0E23 comes out as
// 9.999999999999999E22, and on random bit patterns about 0.5% of doubles and
// 15% of floats (mostly large ones, e.g. 1.6828903E13 vs 1.68289035E13) get
// an extra or different last digit. Both forms parse back to the same value.
package javafmt

import (
	"math"
	"math/big"
	"strconv"
)

// AppendDouble appends Java's Double.toString(f) to dst: "1.0", "1.5",
// "1.0E10", "1.234E-5", "NaN", "Infinity", "-0.0".
func AppendDouble(dst []byte, f float64) []byte {
	return appendJava(dst, f, 64)
}

// AppendFloat appends Java's Float.toString(f) to dst. f is rounded to
// float32 first.
func AppendFloat(dst []byte, f float64) []byte {
	return appendJava(dst, float64(float32(f)), 32)
}

func appendJava(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	if f == math.Trunc(f) && f > -1e7 && f < 1e7 {
		// Whole numbers in plain range: the digits are the integer's.
		dst = strconv.AppendInt(dst, int64(f), 10)
		return append(dst, ".0"...)
	}
	var buf [40]byte
	s := strconv.AppendFloat(buf[:0], f, 'e', -1, bits)
	neg, digs, exp := splitE(s)
	if len(digs) == 1 {
		// Java considers decimals of length 2 too when one of length 1
		// rounds to the value, and picks the closest: Float.MIN_VALUE is
		// "1.4E-45", not "1.0E-45". The correctly rounded 2-digit decimal is
		// the closest of them; it is only usable if it still rounds back to
		// f (at a power of two the rounding interval is lopsided).
		var buf2 [40]byte
		s2 := strconv.AppendFloat(buf2[:0], f, 'e', 1, bits) // "-d.de-XX"
		off := 0
		if s2[0] == '-' {
			off = 1
		}
		if s2[off+2] != '0' {
			if g, err := strconv.ParseFloat(string(s2), bits); err == nil && g == f {
				_, digs, exp = splitE(s2)
			}
		}
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp >= -3 && exp < 7 {
		if exp >= 0 {
			n := exp + 1
			if len(digs) <= n {
				dst = append(dst, digs...)
				for i := len(digs); i < n; i++ {
					dst = append(dst, '0')
				}
				return append(dst, ".0"...)
			}
			dst = append(dst, digs[:n]...)
			dst = append(dst, '.')
			return append(dst, digs[n:]...)
		}
		dst = append(dst, "0."...)
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		return append(dst, digs...)
	}
	dst = append(dst, digs[0], '.')
	if len(digs) > 1 {
		dst = append(dst, digs[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}

// splitE splits strconv's 'e' form "-d.ddde+XX" into sign, the significant
// digits and the decimal exponent of the first digit. It removes the point in
// place, so digits aliases s.
func splitE(s []byte) (neg bool, digits []byte, exp int) {
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	e := len(s) - 1
	for s[e] != 'e' {
		e--
	}
	if e > 1 { // "d.ddd"
		copy(s[1:], s[2:e])
		digits = s[:e-1]
	} else {
		digits = s[:1]
	}
	for _, c := range s[e+2:] {
		exp = exp*10 + int(c-'0')
	}
	if s[e+1] == '-' {
		exp = -exp
	}
	return neg, digits, exp
}

// AppendBigDecimal appends Java's BigDecimal.toString() of the decimal whose
// unscaled value is the big-endian two's complement integer unscaled (as
// BigInteger.toByteArray and Connect's Decimal logical type hold it) and
// whose scale is scale: "12.50", "0.001", "1E-10", "0E-10", "1.2E+4".
// An empty unscaled slice is zero.
func AppendBigDecimal(dst []byte, unscaled []byte, scale int) []byte {
	var buf [24]byte
	var neg bool
	var coeff []byte
	if len(unscaled) <= 8 {
		var u uint64
		for _, b := range unscaled {
			u = u<<8 | uint64(b)
		}
		var v int64
		if len(unscaled) > 0 {
			shift := 64 - 8*uint(len(unscaled))
			v = int64(u<<shift) >> shift // sign-extend
		}
		if v < 0 {
			neg = true
			u = uint64(-v) // MinInt64 stays 1<<63 as uint64, which is right
		} else {
			u = uint64(v)
		}
		coeff = strconv.AppendUint(buf[:0], u, 10)
	} else {
		x := new(big.Int).SetBytes(unscaled)
		if unscaled[0]&0x80 != 0 {
			x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(8*len(unscaled))))
			neg = true
			x.Neg(x)
		}
		coeff = x.Append(nil, 10)
	}
	return AppendDecimalDigits(dst, neg, coeff, scale)
}

// AppendDecimalDigits is AppendBigDecimal for a coefficient already in
// decimal digits (no sign, no leading zeros unless it is "0").
func AppendDecimalDigits(dst []byte, neg bool, coeff []byte, scale int) []byte {
	if neg {
		dst = append(dst, '-')
	}
	if scale == 0 {
		return append(dst, coeff...)
	}
	adjusted := -scale + (len(coeff) - 1)
	if scale > 0 && adjusted >= -6 {
		// Plain notation.
		pad := scale - len(coeff)
		if pad >= 0 {
			dst = append(dst, "0."...)
			for ; pad > 0; pad-- {
				dst = append(dst, '0')
			}
			return append(dst, coeff...)
		}
		n := len(coeff) - scale
		dst = append(dst, coeff[:n]...)
		dst = append(dst, '.')
		return append(dst, coeff[n:]...)
	}
	// Scientific notation.
	dst = append(dst, coeff[0])
	if len(coeff) > 1 {
		dst = append(dst, '.')
		dst = append(dst, coeff[1:]...)
	}
	if adjusted != 0 {
		dst = append(dst, 'E')
		if adjusted > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, int64(adjusted), 10)
	}
	return dst
}
