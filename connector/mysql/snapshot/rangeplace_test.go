package snapshot

import (
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// A DECIMAL key's place is its floor, clamped to the int64s, whichever
// form it comes in: text of any width, or the binlog's packed bytes.
func TestDecimalPlaceIsTheFloor(t *testing.T) {
	for _, c := range []struct {
		text string
		want int64
	}{
		{"0", 0}, {"0.000", 0}, {"12.50", 12}, {"-12.50", -13}, {"-12.00", -12}, {"-0.001", -1}, {".5", 0},
		{"9223372036854775807.9", math.MaxInt64}, {"99999999999999999999999.5", math.MaxInt64},
		{"-9223372036854775808", math.MinInt64}, {"-9223372036854775807.5", math.MinInt64},
		{"-99999999999999999999999", math.MinInt64},
	} {
		if got := decimalPlace(c.text); got == nil || *got != c.want {
			t.Errorf("decimalPlace(%q) = %v, want %d", c.text, got, c.want)
		}
	}
	for _, bad := range []string{"", "-", "1.2.3", "1e5", "abc"} {
		if got := decimalPlace(bad); got != nil {
			t.Errorf("decimalPlace(%q) = %d, want none", bad, *got)
		}
	}
	rng := rand.New(rand.NewSource(11))
	for range 20_000 {
		p := 1 + rng.Intn(18)
		s := rng.Intn(p + 1)
		if mysqltypes.PackedDecimalSize(p, s) > 8 {
			continue // the binlog reader gives these as text
		}
		u := rng.Int63n(int64(math.Pow10(p)))
		if rng.Intn(2) == 0 {
			u = -u
		}
		d := packDecimal(u, p, s)
		text, err := d.Text()
		if err != nil {
			t.Fatalf("DECIMAL(%d,%d) unscaled %d: %v", p, s, u, err)
		}
		floor := new(big.Int).Div(big.NewInt(u), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil)) // Euclidean: the floor for a positive divisor
		got, fromText := decimalPlace(&d), decimalPlace(text)
		if got == nil || fromText == nil || *got != floor.Int64() || *fromText != *got {
			t.Fatalf("DECIMAL(%d,%d) %s: packed placed at %v, text at %v, want %d", p, s, text, got, fromText, floor)
		}
	}
}

// packDecimal is unscaled/10^s as DECIMAL(p,s) in the binlog's packed form
// (p <= 18): the integer part's leading digits, its groups of nine, the
// fraction's groups of nine and its trailing digits, each group in as few
// bytes as hold it; the sign bit set for positive values, every bit
// inverted for negative ones.
func packDecimal(unscaled int64, p, s int) mysqltypes.PackedDecimal {
	neg := unscaled < 0
	u := uint64(unscaled)
	if neg {
		u = uint64(-unscaled)
	}
	ip, fp := u/uint64(math.Pow10(s)), u%uint64(math.Pow10(s))
	var bits uint64
	put := func(v uint64, ndigits int) {
		bits = bits<<(8*digitsBytes(ndigits)) | v
	}
	intg := p - s
	put(ip/uint64(math.Pow10(intg/9*9)), intg%9)
	for g := intg/9 - 1; g >= 0; g-- {
		put(ip/uint64(math.Pow10(9*g))%1e9, 9)
	}
	for g := s/9 - 1; g >= 0; g-- {
		put(fp/uint64(math.Pow10(9*g+s%9))%1e9, 9)
	}
	put(fp%uint64(math.Pow10(s%9)), s%9)
	n := mysqltypes.PackedDecimalSize(p, s)
	bits |= 1 << (8*n - 1)
	if neg {
		bits = ^bits & (^uint64(0) >> (64 - 8*n))
	}
	return mysqltypes.PackedDecimal{Bits: bits, Precision: uint8(p), Scale: uint8(s)}
}

func digitsBytes(n int) int {
	if n == 9 {
		return 4
	}
	return [9]int{0, 1, 1, 2, 2, 3, 3, 4, 4}[n]
}

// clockOrder is the server's order of two wall clocks: field by field, a
// zero month or day before the first, a day past the month's end
// (ALLOW_INVALID_DATES) after its last.
func clockOrder(a, b [7]int) int { return slices.Compare(a[:], b[:]) }

// clockFieldsOf is a place's wall clock.
func clockFieldsOf(n int64) [7]int {
	t := clockTime(n)
	return [7]int{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1000}
}

// A temporal key's place orders keys as the server orders the column's
// values, zero, partial and invalid dates included, against every bound
// the ranges use (whole seconds, whole days for a DATE, read back from
// their literals as placed), whichever form the key comes in: text, a
// time.Time (a TIMESTAMP's in any zone), the binlog's packed DATETIME.
func TestClockPlaceOrdersAsTheServer(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	clock := func() [7]int {
		f := [7]int{1000 + rng.Intn(9000), 1 + rng.Intn(12), 1 + rng.Intn(31), rng.Intn(24), rng.Intn(60), rng.Intn(60), rng.Intn(1_000_000)}
		switch rng.Intn(8) {
		case 0:
			f = [7]int{} // '0000-00-00 00:00:00'
		case 1:
			f[1+rng.Intn(2)] = 0 // a partial date
		case 2, 3:
			f[0], f[1] = 2024, 2 // keys close together, about a leap day
		}
		return f
	}
	pack := func(f [7]int) int64 { return clockPack(f[0], f[1], f[2], f[3], f[4], f[5], f[6]) }
	for _, day := range []bool{false, true} {
		kind, step := keyDatetime, int64(1e6)
		if day {
			kind, step = keyDate, 86_400e6
		}
		var places []int64
		for range 300 {
			places = append(places, pack(clock()))
		}
		slices.Sort(places)
		for _, n := range places {
			if c, ok := clockCeil(n, day); !ok || c < n || c-step >= n || c%step != 0 {
				t.Fatalf("%s rounds up to %s (%v), not the first whole %s at or after it", clockText(n, false), clockText(c, false), ok, kind)
			}
		}
		bounds := kind.bounds(slices.Clone(places))
		for i, b := range bounds {
			if i > 0 && bounds[i-1] >= b {
				t.Fatalf("bounds %s and %s not increasing", clockText(bounds[i-1], false), clockText(b, false))
			}
			lit := kind.literal(b)
			if back := clockPlace(lit[1:len(lit)-1], false); back == nil || *back != b {
				t.Fatalf("literal %s read back as %v, want %d", lit, back, b)
			}
		}
		for range 5000 {
			k := clock()
			if day {
				k[3], k[4], k[5], k[6] = 0, 0, 0, 0
			}
			text := fmt.Sprintf("%04d-%02d-%02d", k[0], k[1], k[2])
			if !day {
				text += fmt.Sprintf(" %02d:%02d:%02d.%06d", k[3], k[4], k[5], k[6])
			}
			place := clockPlace(text, false)
			if place == nil {
				t.Fatalf("key %s not placed", text)
			}
			packed := mysqltypes.PackedDatetime{Bits: packedBits(k), Dec: 6}
			if p := clockPlace(&packed, false); p == nil || *p != *place {
				t.Fatalf("key %s placed at %d as text, %v packed", text, *place, p)
			}
			if k[0] != 0 && k[1] != 0 && k[2] != 0 && k[2] <= daysIn(k[0], k[1]) {
				tm := time.Date(k[0], time.Month(k[1]), k[2], k[3], k[4], k[5], k[6]*1000, time.UTC)
				if p := clockPlace(tm, false); p == nil || *p != *place {
					t.Fatalf("key %s placed at %d as text, %v as a time", text, *place, p)
				}
				if p := clockPlace(tm.In(time.FixedZone("x", 5*3600)), true); p == nil || *p != *place {
					t.Fatalf("TIMESTAMP %s placed at %d as UTC text, %v as an instant", text, *place, p)
				}
			}
			for _, b := range bounds {
				if sqlGE, placeGE := clockOrder(k, clockFieldsOf(b)) >= 0, *place >= b; sqlGE != placeGE {
					t.Fatalf("key %s against bound %s: the server says >= %v, the place %v", text, kind.literal(b), sqlGE, placeGE)
				}
			}
		}
	}
}

// packedBits is a DATETIME(6)'s packed bytes (see PackedDatetime).
func packedBits(f [7]int) uint64 {
	whole := uint64((f[0]*13+f[1])<<5|f[2])<<17 | uint64(f[3]<<12|f[4]<<6|f[5])
	return (whole+0x8000000000)<<24 | uint64(f[6])
}

func TestClockCeil(t *testing.T) {
	for _, c := range []struct {
		in   string
		day  bool
		want string
	}{
		{"2024-02-29 10:00:00", false, "2024-02-29 10:00:00"},
		{"2024-02-29 10:00:00.000001", false, "2024-02-29 10:00:01"},
		{"2024-02-29 23:59:59.5", false, "2024-03-01 00:00:00"},
		{"1969-12-31 23:59:59.5", false, "1970-01-01 00:00:00"},
		{"1000-01-01 00:00:00.1", false, "1000-01-01 00:00:01"},
		{"2023-04-07 00:00:00", true, "2023-04-07"},
		{"2023-04-07 00:00:01", true, "2023-04-08"},
		{"2023-04-30 12:00:00", true, "2023-05-01"},
		{"1969-12-31 12:00:00", true, "1970-01-01"},
		{"1500-02-03 12:00:00", true, "1500-02-04"},
		{"2023-00-15 08:00:00", false, "2023-01-01 00:00:00"}, // a partial date sorts before the first
		{"2023-02-30 08:00:00", true, "2023-03-01"},           // a day past the month's end before the next month
	} {
		n, ok := clockOfText(c.in)
		if !ok {
			t.Fatalf("%s not read", c.in)
		}
		got, ok := clockCeil(n, c.day)
		if !ok || clockText(got, c.day) != c.want {
			t.Errorf("clockCeil(%s, day=%v) = %s, %v; want %s", c.in, c.day, clockText(got, c.day), ok, c.want)
		}
	}
	if _, ok := clockCeil(clockPack(9999, 12, 31, 23, 59, 59, 1), false); ok {
		t.Errorf("a bound past 9999-12-31 23:59:59 was kept")
	}
	if s := strconv.Quote(keyDatetime.literal(clockPack(987, 1, 2, 3, 4, 5, 60))); s != `"'0987-01-02 03:04:05.000060'"` {
		t.Errorf("literal %s", s)
	}
}

// A FLOAT or DOUBLE key's place is its floor, clamped to the int64s, a
// FLOAT's the same whether the binlog's float32 or the snapshot's float64.
func TestFloatPlaceIsTheFloor(t *testing.T) {
	for _, c := range []struct {
		v    any
		want int64
	}{
		{2.5, 2}, {-2.5, -3}, {-2.0, -2}, {float32(-0.1), -1}, {float32(7.75), 7}, {1e300, math.MaxInt64},
		{-1e300, math.MinInt64}, {math.Inf(1), math.MaxInt64}, {9.3e18, math.MaxInt64}, {-9.223372036854775808e18, math.MinInt64},
	} {
		if got := floatPlace(c.v); got == nil || *got != c.want {
			t.Errorf("floatPlace(%v) = %v, want %d", c.v, got, c.want)
		}
	}
	if got := floatPlace(math.NaN()); got != nil {
		t.Errorf("NaN placed at %d", *got)
	}
	if got := floatPlace("1.5"); got != nil {
		t.Errorf("text placed at %d", *got)
	}
}

// A TIME key's place is its signed microseconds, from the binlog's and the
// snapshot's text; a bound's literal reads back as the bound.
func TestTimePlace(t *testing.T) {
	for _, c := range []struct {
		text string
		want int64
	}{
		{"00:00:00", 0}, {"12:34:56", 45296e6}, {"-12:34:56.5", -45296500000}, {"838:59:59.999999", 3020399999999},
		{"-838:59:59", -3020399e6}, {"-00:00:00.000001", -1}, {"01:02:03.12", 3723120000},
	} {
		if got := timePlace(c.text); got == nil || *got != c.want {
			t.Errorf("timePlace(%q) = %v, want %d", c.text, got, c.want)
		}
	}
	for _, bad := range []string{"", "12:34", "1:2:x", "1 12:00:00"} {
		if got := timePlace(bad); got != nil {
			t.Errorf("timePlace(%q) = %d, want none", bad, *got)
		}
	}
	rng := rand.New(rand.NewSource(9))
	for range 2000 {
		n := rng.Int63n(2*3020399999999) - 3020399999999
		b := keyTime.bounds([]int64{n})[0]
		if b < n || b-1e6 >= n || b%1e6 != 0 {
			t.Fatalf("%d rounds up to %d", n, b)
		}
		lit := keyTime.literal(b)
		if back := timePlace(lit[1 : len(lit)-1]); back == nil || *back != b {
			t.Fatalf("bound %d as %s reads back as %v", b, lit, back)
		}
	}
}
