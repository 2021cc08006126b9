package mysqltypes

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// packDecimal writes a decimal text in the binlog's packed form, from
// MySQL's description of it (decimal2bin): the integer part's leading
// digits, then groups of nine from the point outwards, then the fraction's
// trailing digits; the first bit set for positive values; every byte
// inverted for negative ones.
func packDecimal(t *testing.T, text string, precision, scale int) uint64 {
	t.Helper()
	neg := strings.HasPrefix(text, "-")
	ip, fp, _ := strings.Cut(strings.TrimPrefix(text, "-"), ".")
	intg := precision - scale
	ip = strings.TrimLeft(ip, "0")
	ip = strings.Repeat("0", intg-len(ip)) + ip
	fp += strings.Repeat("0", scale-len(fp))
	var out []byte
	put := func(digits string, size int) {
		v, _ := strconv.ParseUint("0"+digits, 10, 64)
		for i := size - 1; i >= 0; i-- {
			out = append(out, byte(v>>(8*i)))
		}
	}
	lead := intg % 9
	put(ip[:lead], digitBytes[lead])
	for i := lead; i < len(ip); i += 9 {
		put(ip[i:i+9], 4)
	}
	for i := 0; i+9 <= len(fp); i += 9 {
		put(fp[i:i+9], 4)
	}
	put(fp[scale/9*9:], digitBytes[scale%9])
	out[0] |= 0x80
	if neg {
		for i := range out {
			out[i] ^= 0xFF
		}
	}
	var bits uint64
	for _, b := range out {
		bits = bits<<8 | uint64(b)
	}
	if len(out) != PackedDecimalSize(precision, scale) {
		t.Fatalf("packed %d bytes, PackedDecimalSize says %d", len(out), PackedDecimalSize(precision, scale))
	}
	return bits
}

func TestPackedDecimalRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, ps := range [][2]int{{12, 2}, {14, 2}, {10, 2}, {5, 0}, {6, 3}, {18, 0}, {18, 9}, {9, 9}, {10, 10}, {1, 0}, {16, 7}, {8, 2}} {
		p, s := ps[0], ps[1]
		for i := 0; i < 300; i++ {
			var want string
			switch i {
			case 0:
				want = "0"
			case 1:
				want = strings.Repeat("9", p) // the largest
			case 2:
				want = "-" + strings.Repeat("9", p)
			default:
				digits := make([]byte, 1+r.IntN(p))
				for j := range digits {
					digits[j] = byte('0' + r.IntN(10))
				}
				want = strings.TrimLeft(string(digits), "0")
				if want == "" {
					want = "0"
				}
				if r.IntN(2) == 0 && want != "0" {
					want = "-" + want
				}
			}
			// want is the unscaled value; its text has s fraction digits.
			text := unscaledText(want, s)
			d := PackedDecimal{Bits: packDecimal(t, text, p, s), Precision: uint8(p), Scale: uint8(s)}
			got, err := d.Text()
			if err != nil || got != text {
				t.Fatalf("DECIMAL(%d,%d) %s: Text() = %q, %v", p, s, text, got, err)
			}
			n, err := d.Unscaled()
			if err != nil || fmt.Sprint(n) != strings.TrimPrefix(want, "-0") && fmt.Sprint(n) != want {
				t.Fatalf("DECIMAL(%d,%d) %s: Unscaled() = %d, %v; want %s", p, s, text, n, err, want)
			}
		}
	}
}

// unscaledText is the decimal text of an unscaled integer at scale.
func unscaledText(unscaled string, scale int) string {
	neg := strings.HasPrefix(unscaled, "-")
	u := strings.TrimPrefix(unscaled, "-")
	u = strings.Repeat("0", max(0, scale+1-len(u))) + u
	text := u[:len(u)-scale]
	if scale > 0 {
		text += "." + u[len(u)-scale:]
	}
	if neg && strings.Trim(u, "0") != "" {
		text = "-" + text
	}
	return text
}

func TestPackedDecimalRefusesWhatItCannotRead(t *testing.T) {
	if _, err := (PackedDecimal{Precision: 20, Scale: 2}).Unscaled(); err == nil || !strings.Contains(err.Error(), "DECIMAL(20,2) is not read in packed form") {
		t.Errorf("DECIMAL(20,2): %v", err)
	}
	// DECIMAL(5,0) is 3 bytes; a group of 5 digits holding 999999 is corrupt.
	if _, err := (PackedDecimal{Bits: 0x80000 | 999999, Precision: 5, Scale: 0}).Unscaled(); err == nil || !strings.Contains(err.Error(), "more digits") {
		t.Errorf("corrupt group: %v", err)
	}
}

// The converter reads the packed form as it reads go-mysql's text, in
// every decimal.handling.mode.
func TestDecimalConverterReadsPackedForm(t *testing.T) {
	c := &converter{col: "d"}
	for _, text := range []string{"12345678.90", "-0.01", "0.00", "-99999999.99"} {
		packed := PackedDecimal{Bits: packDecimal(t, text, 10, 2), Precision: 10, Scale: 2}
		for _, mode := range []string{"precise", "string", "double"} {
			conv := decimalConverter(c, 2, mode)
			want, err := conv(text)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range []any{packed, &packed} { // the snapshot's form, the binlog's
				got, err := conv(in)
				if err != nil || fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
					t.Errorf("%s in mode %s: packed (%T) gives %#v (%v), text %#v", text, mode, in, got, err, want)
				}
			}
		}
	}
}

// packDatetime writes a DATETIME(dec) in the binlog's packed form (MySQL's
// TIME_to_longlong_datetime_packed and my_datetime_packed_to_binary).
func packDatetime(y, mo, d, h, mi, s, us, dec int) uint64 {
	whole := uint64((y*13+mo)<<5|d)<<17 | uint64(h<<12|mi<<6|s)
	fb := PackedDatetimeSize(dec) - 5
	frac := uint64(0)
	switch fb {
	case 1:
		frac = uint64(us / 10000)
	case 2:
		frac = uint64(us / 100)
	case 3:
		frac = uint64(us)
	}
	return (whole+0x8000000000)<<(8*fb) | frac
}

// The converter reads the packed form as it reads go-mysql's time.Time
// and text, in milliseconds and microseconds, with and without the
// two-digit-year adjustment: zero and partial dates, dates before 1970 and
// before year 1000, an invalid day (ALLOW_INVALID_DATES), every precision.
func TestDatetimeConverterReadsPackedForm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	type dt struct{ y, mo, d, h, mi, s, us int }
	cases := []dt{{0, 0, 0, 0, 0, 0, 0}, {2020, 0, 10, 1, 2, 3, 0}, {2020, 5, 0, 0, 0, 0, 0}, {0, 1, 1, 0, 0, 0, 0},
		{2021, 2, 31, 23, 59, 59, 999999}, {1969, 12, 31, 23, 59, 59, 500000}, {1000, 1, 1, 0, 0, 0, 1},
		{9999, 12, 31, 23, 59, 59, 999999}, {69, 6, 1, 12, 0, 0, 0}, {1970, 1, 1, 0, 0, 0, 0}, {1600, 2, 29, 0, 0, 1, 250000}}
	for range 2000 {
		cases = append(cases, dt{r.IntN(10000), 1 + r.IntN(12), 1 + r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000000)})
	}
	for _, c := range cases {
		for dec := 0; dec <= 6; dec++ {
			us := c.us / pow10i(6-dec) * pow10i(6-dec) // what the column keeps
			packed := PackedDatetime{Bits: packDatetime(c.y, c.mo, c.d, c.h, c.mi, c.s, us, dec), Dec: uint8(dec)}
			text := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d.%06d", c.y, c.mo, c.d, c.h, c.mi, c.s, us)
			for _, micros := range []bool{false, true} {
				for _, adjust := range []bool{false, true} {
					conv := datetimeConverter(&converter{col: "d", fallback: int64(0)}, micros, adjust)
					want, err := conv(text)
					if err != nil {
						t.Fatal(err)
					}
					if c.y != 0 && c.mo != 0 && c.d != 0 {
						viaTime, err := conv(time.Date(c.y, time.Month(c.mo), c.d, c.h, c.mi, c.s, us*1000, time.UTC))
						if err != nil || viaTime != want {
							t.Fatalf("%s: time.Time gives %v, text %v", text, viaTime, want)
						}
					}
					for _, in := range []any{packed, &packed} { // the snapshot's form, the binlog's
						got, err := conv(in)
						if err != nil || got != want {
							t.Fatalf("%s DATETIME(%d) micros=%v adjust=%v: packed (%T) gives %#v (%v), text %#v", text, dec, micros, adjust, in, got, err, want)
						}
					}
				}
			}
		}
	}
}

func pow10i(n int) int { return int(pow10[n]) }

// A snapshot's DATETIME text converts as it did through time.Parse: the
// converter gives the same for FromText's packed result as for the
// time.Time or text the parse gave.
func TestDatetimeTextReadPacked(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	texts := []string{"0000-00-00 00:00:00", "2020-00-10 01:02:03", "2020-05-00 00:00:00", "2021-02-31 10:00:00.5",
		"1969-12-31 23:59:59.999999", "1000-01-01 00:00:00", "9999-12-31 23:59:59.999999", "0069-06-01 12:00:00",
		"2024-03-05 06:07:08.1", "2024-03-05 06:07:08.12345", "2024-13-05 06:07:08", "2024-03-05 24:00:00",
		"2024-03-05T06:07:08", "2024-03-05 06:07:08.", "2024-03-05 06:07:08.1234567", "2024-3-05 06:07:08"}
	for range 3000 {
		text := fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", r.IntN(10000), r.IntN(13), r.IntN(32), r.IntN(24), r.IntN(60), r.IntN(60))
		if n := r.IntN(7); n > 0 {
			text += "." + fmt.Sprintf("%06d", r.IntN(1000000))[:n]
		}
		texts = append(texts, text)
	}
	def := ColumnDef{Name: "d", DataType: "datetime", FSP: 6}
	for _, text := range texts {
		var before any = text // what FromText gave before
		if tm, err := time.ParseInLocation("2006-01-02 15:04:05.999999", text, time.UTC); err == nil && !strings.HasPrefix(text, "0000") {
			before = tm
		}
		now, err := FromText(def, []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := now.(PackedDatetime); ok {
			want := text
			if strings.Contains(want, ".") {
				want = strings.TrimRight(strings.TrimRight(want, "0"), ".")
			}
			if p.Text() != want {
				t.Fatalf("%q read packed prints as %q, want %q", text, p.Text(), want)
			}
		}
		for _, micros := range []bool{false, true} {
			for _, adjust := range []bool{false, true} {
				conv := datetimeConverter(&converter{col: "d", fallback: int64(0)}, micros, adjust)
				want, werr := conv(before)
				got, gerr := conv(now)
				if fmt.Sprint(got, gerr) != fmt.Sprint(want, werr) {
					t.Fatalf("%q micros=%v adjust=%v: %v (%v) from %#v, was %v (%v)", text, micros, adjust, got, gerr, now, want, werr)
				}
			}
		}
	}
}

// Unscaled runs once per DECIMAL cell of every binlog row: it must not
// allocate, and bytes above the packed size are not part of the value.
func TestPackedDecimalUnscaledAllocatesNothing(t *testing.T) {
	d := PackedDecimal{Bits: packDecimal(t, "-1234567.89", 12, 2), Precision: 12, Scale: 2}
	var n int64
	if allocs := testing.AllocsPerRun(100, func() { n, _ = d.Unscaled() }); allocs != 0 || n != -123456789 {
		t.Errorf("Unscaled() = %d with %v allocations, want -123456789 with none", n, allocs)
	}
	d.Bits |= 0xFF << 48 // DECIMAL(12,2) is 6 bytes
	if n, err := d.Unscaled(); err != nil || n != -123456789 {
		t.Errorf("with bytes above the value: %d, %v", n, err)
	}
}

// The binlog hands packed values over as pointers so that they are not
// boxed one by one; the converters read them through the pointer, and
// allocate only their result (a DECIMAL's bytes and their box, together,
// a DATETIME's epoch).
func TestPackedPointersConvertWithoutCopies(t *testing.T) {
	dec := &PackedDecimal{Bits: packDecimal(t, "-1234567.89", 12, 2), Precision: 12, Scale: 2}
	decimal := decimalConverter(&converter{col: "d"}, 2, "precise")
	if allocs := testing.AllocsPerRun(100, func() { _, _ = decimal(dec) }); allocs != 1 {
		t.Errorf("a *PackedDecimal converts with %v allocations, want 1 (the bytes and their box)", allocs)
	}
	if v, err := decimal(dec); err != nil || !bytes.Equal(v.([]byte), []byte{0xF8, 0xA4, 0x32, 0xEB}) {
		t.Errorf("-1234567.89 at scale 2 = %x, %v; want f8a432eb (-123456789)", v, err)
	}
	dt := &PackedDatetime{Bits: packDatetime(2026, 12, 3, 14, 5, 6, 789000, 3), Dec: 3}
	datetime := datetimeConverter(&converter{col: "d", fallback: int64(0)}, false, false)
	if allocs := testing.AllocsPerRun(100, func() { _, _ = datetime(dt) }); allocs != 1 {
		t.Errorf("a *PackedDatetime converts with %v allocations, want 1 (the epoch's box)", allocs)
	}
}

func TestPackedSameRaw(t *testing.T) {
	d := &PackedDecimal{Bits: 0x800001, Precision: 6, Scale: 2}
	for _, tc := range []struct {
		other any
		want  bool
	}{
		{&PackedDecimal{Bits: 0x800001, Precision: 6, Scale: 2}, true},
		{&PackedDecimal{Bits: 0x800002, Precision: 6, Scale: 2}, false},
		{&PackedDecimal{Bits: 0x800001, Precision: 6, Scale: 3}, false},
		{&PackedDatetime{Bits: 0x800001}, false},
		{(*PackedDecimal)(nil), false},
		{nil, false},
	} {
		if got := d.SameRaw(tc.other); got != tc.want {
			t.Errorf("SameRaw(%#v) = %v, want %v", tc.other, got, tc.want)
		}
	}
	dt := &PackedDatetime{Bits: 0x8000010000, Dec: 3}
	if !dt.SameRaw(&PackedDatetime{Bits: 0x8000010000, Dec: 3}) || dt.SameRaw(&PackedDatetime{Bits: 0x8000010000, Dec: 2}) || dt.SameRaw(d) {
		t.Error("PackedDatetime.SameRaw compares the bits and the fraction digits")
	}
}
