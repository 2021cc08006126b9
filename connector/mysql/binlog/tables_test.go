package binlog

import (
	"reflect"
	"testing"
)

func TestBinlogMetadataHelpers(t *testing.T) {
	// CHAR(4) utf8mb4 is 16 bytes: meta 0xFE10; BINARY(4): 0xFE04;
	// CHAR(100) utf8mb4, 400 bytes, hides bits in the type byte: 0xEE90.
	for meta, want := range map[uint16]int{0xFE10: 16, 0xFE04: 4, 0xEE90: 400} {
		if got := stringLength(meta); got != want {
			t.Errorf("stringLength(%#x) = %d, want %d", meta, got, want)
		}
	}
	if got := decodeEnumValues([]string{"caf\xe9", "x"}, "latin1"); !reflect.DeepEqual(got, []string{"café", "x"}) {
		t.Errorf("latin1 enum values %q", got)
	}
}
