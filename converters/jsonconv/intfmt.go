package jsonconv

import "strconv"

// appendInt is strconv.AppendInt(b, n, 10) writing straight into b: the
// envelope is mostly integers (ids, timestamps, positions) and this is
// measurably faster than going through strconv's scratch buffer.
func appendInt(b []byte, n int64) []byte {
	u := uint64(n)
	if n < 0 {
		b = append(b, '-')
		u = -u
	}
	if u < 10 {
		return append(b, byte('0'+u))
	}
	if u >= 1e8 { // strconv's 8-digit chunks win for long numbers
		return strconv.AppendUint(b, u, 10)
	}
	nd := decimalLen(u)
	l := len(b)
	if cap(b)-l < nd {
		b = append(b, make([]byte, nd)...)
	} else {
		b = b[:l+nd]
	}
	i := l + nd
	for u >= 100 {
		q := u / 100
		r := (u - q*100) * 2
		i -= 2
		b[i], b[i+1] = digitPairs[r], digitPairs[r+1]
		u = q
	}
	if u >= 10 {
		b[i-2], b[i-1] = digitPairs[u*2], digitPairs[u*2+1]
	} else {
		b[i-1] = byte('0' + u)
	}
	return b
}

const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// decimalLen is the number of decimal digits of u (10 <= u < 1e8).
func decimalLen(u uint64) int {
	switch {
	case u < 100:
		return 2
	case u < 1000:
		return 3
	case u < 10000:
		return 4
	case u < 100000:
		return 5
	case u < 1000000:
		return 6
	case u < 10000000:
		return 7
	}
	return 8
}
