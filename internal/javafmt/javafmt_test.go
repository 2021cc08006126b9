package javafmt

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// Expected strings are Java's (JDK 19+ Double.toString / Float.toString,
// BigDecimal.toString); where JDK 17 prints something else it is noted.
func TestDouble(t *testing.T) {
	a, b := 0.1, 0.2
	cases := []struct {
		f    float64
		want string
	}{
		{0, "0.0"},
		{math.Copysign(0, -1), "-0.0"},
		{1, "1.0"},
		{-1, "-1.0"},
		{1.5, "1.5"},
		{100, "100.0"},
		{9999999, "9999999.0"},
		{1e7, "1.0E7"},
		{12345678, "1.2345678E7"},
		{1e10, "1.0E10"},
		{-1e10, "-1.0E10"},
		{0.001, "0.001"},
		{0.0001, "1.0E-4"},
		{0.00123, "0.00123"},
		{1.25e-8, "1.25E-8"},
		{a + b, "0.30000000000000004"},
		{math.Pi, "3.141592653589793"},
		{math.MaxFloat64, "1.7976931348623157E308"},
		{math.SmallestNonzeroFloat64, "4.9E-324"}, // Double.MIN_VALUE: two digits, not "5.0E-324"
		{1e23, "1.0E23"},                          // JDK 17: 9.999999999999999E22
		{2e-3, "0.002"},
		{9.223372036854776e18, "9.223372036854776E18"},
		{1e21, "1.0E21"},
		{123456.789, "123456.789"},
		{1234567.5, "1234567.5"},
		{4.35, "4.35"},
		{2.0e-323, "2.0E-323"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
	}
	for _, c := range cases {
		if got := string(AppendDouble(nil, c.f)); got != c.want {
			t.Errorf("Double.toString(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}

func TestFloat(t *testing.T) {
	cases := []struct {
		f    float32
		want string
	}{
		{1.1, "1.1"},
		{0.1, "0.1"},
		{1e10, "1.0E10"},
		{math.SmallestNonzeroFloat32, "1.4E-45"}, // Float.MIN_VALUE
		{math.MaxFloat32, "3.4028235E38"},
		{16777216, "1.6777216E7"},
		{3.0e-5, "3.0E-5"},
		{100, "100.0"},
		{1234567.9, "1234567.9"},
		{-2.5, "-2.5"},
		{0.001, "0.001"},
		{1.0e-4, "1.0E-4"},
	}
	for _, c := range cases {
		if got := string(AppendFloat(nil, float64(c.f))); got != c.want {
			t.Errorf("Float.toString(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}

// TestShape checks random values against the rules of Double.toString: the
// result parses back to the same value, uses plain notation exactly for
// 1e-3 <= |x| < 1e7, always has a digit after the point, and has the
// shortest digit count (two when one would do).
func TestShape(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		for _, bits := range []int{64, 32} {
			var f float64
			var s string
			if bits == 64 {
				f = math.Float64frombits(r.Uint64())
				s = string(AppendDouble(nil, f))
			} else {
				f = float64(math.Float32frombits(r.Uint32()))
				s = string(AppendFloat(nil, f))
			}
			if math.IsNaN(f) || math.IsInf(f, 0) || f == 0 {
				continue
			}
			g, err := strconv.ParseFloat(s, bits)
			if err != nil || g != f {
				t.Fatalf("%s (%d bits) does not parse back to %v", s, bits, f)
			}
			abs := math.Abs(f)
			plain := !strings.Contains(s, "E")
			if plain != (abs >= 1e-3 && abs < 1e7) {
				t.Fatalf("%s: wrong notation for %v", s, f)
			}
			mant, _, _ := strings.Cut(strings.TrimPrefix(s, "-"), "E")
			ip, fp, ok := strings.Cut(mant, ".")
			if !ok || fp == "" || ip == "" {
				t.Fatalf("%s: malformed", s)
			}
			if !plain && len(ip) != 1 {
				t.Fatalf("%s: scientific mantissa must have one integer digit", s)
			}
			short := strconv.FormatFloat(f, 'e', -1, bits)
			sd, _, _ := strings.Cut(strings.TrimPrefix(short, "-"), "e")
			want := len(strings.Replace(sd, ".", "", 1))
			digits := strings.Trim(strings.Replace(mant, ".", "", 1), "0")
			if want == 1 {
				if len(digits) > 2 {
					t.Fatalf("%s: more than two digits, shortest is %s", s, short)
				}
			} else if len(digits) != want {
				t.Fatalf("%s: %d digits, shortest is %s", s, len(digits), short)
			}
		}
	}
}

func TestBigDecimal(t *testing.T) {
	cases := []struct {
		unscaled []byte
		scale    int
		want     string
	}{
		{[]byte{0x30, 0x39}, 2, "123.45"},
		{[]byte{0x30, 0x39}, 0, "12345"},
		{[]byte{0x30, 0x39}, 5, "0.12345"},
		{[]byte{0x30, 0x39}, 7, "0.0012345"},
		{[]byte{0x30, 0x39}, 10, "0.0000012345"}, // adjusted exponent -6: still plain
		{[]byte{0x30, 0x39}, 11, "1.2345E-7"},    // adjusted exponent -7: scientific
		{[]byte{0x00, 0x96}, 2, "1.50"},
		{[]byte{0xff}, 2, "-0.01"},
		{[]byte{0xcf, 0xc7}, 2, "-123.45"},
		{[]byte{0}, 10, "0E-10"},
		{[]byte{}, 2, "0.00"},
		{[]byte{0}, 0, "0"},
		{[]byte{1}, 10, "1E-10"},
		{[]byte{1}, 6, "0.000001"},
		{[]byte{1}, 7, "1E-7"},
		{[]byte{15}, 8, "1.5E-7"},
		{[]byte{12}, -3, "1.2E+4"},
		{[]byte{0}, -2, "0E+2"},
		{[]byte{0x80, 0, 0, 0, 0, 0, 0, 0}, 0, "-9223372036854775808"},
		{[]byte{0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 18, "9.223372036854775807"},
		{[]byte{0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 4, "1844674407370955.1615"},
		{[]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1}, 0, "-18446744073709551615"},
		{[]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1}, 25, "-0.0000018446744073709551615"},
		{[]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 1}, 27, "-1.8446744073709551615E-8"},
	}
	for _, c := range cases {
		if got := string(AppendBigDecimal(nil, c.unscaled, c.scale)); got != c.want {
			t.Errorf("BigDecimal(% x, scale %d) = %s, want %s", c.unscaled, c.scale, got, c.want)
		}
	}
}

func TestNoAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() {
		buf = AppendDouble(buf[:0], 4.35)
		buf = AppendFloat(buf[:0], 1.1)
		buf = AppendDouble(buf[:0], 5e-324)
		buf = AppendBigDecimal(buf[:0], []byte{0x30, 0x39}, 2)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
