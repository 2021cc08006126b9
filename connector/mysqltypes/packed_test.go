package mysqltypes

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
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
			got, err := conv(packed)
			if err != nil || fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", want) {
				t.Errorf("%s in mode %s: packed gives %#v (%v), text %#v", text, mode, got, err, want)
			}
		}
	}
}
