package smt

// Debezium's MurmurHash3 (io.debezium.util.MurmurHash3): the x64 128-bit
// variant cut to its top 32 bits, seed 9001. Bulk blocks read bytes
// unsigned but the tail sign-extends them (Java's (long) byte), which the
// reference implementation does not: kept, so partitions match Debezium's.

const murmurSeed = 9001

type murmurState struct{ h1, h2, k1, k2, c1, c2 uint64 }

func newMurmur() *murmurState {
	return &murmurState{h1: 0x9368e53c2f6af274 ^ murmurSeed, h2: 0x586dcd208f7cd3fd ^ murmurSeed,
		c1: 0x87c37b91114253d5, c2: 0x4cf5ad432745937f}
}

func rotl(x uint64, r uint) uint64 { return x<<r | x>>(64-r) }

func (s *murmurState) bmix() {
	s.k1 *= s.c1
	s.k1 = rotl(s.k1, 23)
	s.k1 *= s.c2
	s.h1 ^= s.k1
	s.h1 += s.h2
	s.h2 = rotl(s.h2, 41)
	s.k2 *= s.c2
	s.k2 = rotl(s.k2, 23)
	s.k2 *= s.c1
	s.h2 ^= s.k2
	s.h2 += s.h1
	s.h1 = s.h1*3 + 0x52dce729
	s.h2 = s.h2*3 + 0x38495ab5
	s.c1 = s.c1*5 + 0x7b7d159c
	s.c2 = s.c2*5 + 0x6bce6396
}

func fmix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

func (s *murmurState) finish(n int) int32 {
	s.h2 ^= uint64(n)
	s.h1 += s.h2
	s.h2 += s.h1
	s.h1, s.h2 = fmix(s.h1), fmix(s.h2)
	s.h1 += s.h2
	return int32(s.h1 >> 32)
}

func le64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// murmurBytes is MurmurHash3.hash(byte[]) (a String hashes its UTF-8).
func murmurBytes(key []byte) int32 {
	s := newMurmur()
	n := len(key)
	for i := 0; i+16 <= n; i += 16 {
		s.k1, s.k2 = le64(key[i:]), le64(key[i+8:])
		s.bmix()
	}
	s.k1, s.k2 = 0, 0
	tail := key[n&^15:]
	for i := len(tail) - 1; i >= 0; i-- {
		sx := uint64(int64(int8(tail[i]))) // sign-extended, as Java's (long) byte
		if i >= 8 {
			s.k2 ^= sx << (8 * uint(i-8))
		} else {
			s.k1 ^= sx << (8 * uint(i))
		}
	}
	if len(tail) > 0 {
		s.bmix()
	}
	return s.finish(n)
}

// murmurInt is MurmurHash3.hash(int): the four little-endian bytes of a
// Java hashCode.
func murmurInt(h int32) int32 {
	u := uint32(h)
	return murmurBytes([]byte{byte(u), byte(u >> 8), byte(u >> 16), byte(u >> 24)})
}
