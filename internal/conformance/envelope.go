package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The tests read hundreds of thousands of change records back from Kafka.
// Under the race detector encoding/json takes about 0.1 ms for one whole
// record without schemas and several times that with them (the schema, the
// source block and its escaped VGTID are most of it), and that decoding was
// most of the time of the largest tests. These scans find the few fields a
// test needs with bytes.Index, which runs outside the race detector, and
// leave only those fields' values to encoding/json.
//
// They are exact for the records the tests read, compact JSON as the
// converters write it, with or without the schema: a key is found by its
// quoted name and colon, which no JSON string can hold unescaped (a quote
// inside a string is written \"); a schema names fields only in values
// ("field":"after"), never as keys; and the tables have no column named
// op, before, after, source or ts_ms.

// Op returns a change record's op.
func Op(value []byte) (string, error) {
	rest, err := fieldValue(value, "op")
	if err != nil {
		return "", err
	}
	op, ok := rawString(rest)
	if !ok || strings.IndexByte(op, '\\') >= 0 {
		return "", errors.New(`"op" is not a plain string`)
	}
	return op, nil
}

// Field decodes the value of a change record's first field named name
// (before, after, source) into dst; present is false, and dst untouched,
// when it is null.
func Field(value []byte, name string, dst any) (present bool, err error) {
	rest, err := fieldValue(value, name)
	if err != nil {
		return false, err
	}
	if bytes.HasPrefix(rest, []byte("null")) {
		return false, nil
	}
	// A Decoder reads the one value and scans no further.
	if err := json.NewDecoder(bytes.NewReader(rest)).Decode(dst); err != nil {
		return false, fmt.Errorf("decoding %q: %w", name, err)
	}
	return true, nil
}

// OpAndAfter returns a change record's op and decodes its after object
// into after; present is false when that is null.
func OpAndAfter(value []byte, after any) (op string, present bool, err error) {
	if op, err = Op(value); err != nil {
		return "", false, err
	}
	present, err = Field(value, "after", after)
	return op, present, err
}

// SourceTsMs returns source.ts_ms of a change record; ok is false when the
// source block has none or it is null.
func SourceTsMs(value []byte) (ts int64, ok bool) {
	n, ok := sourceField(value, "ts_ms")
	if !ok {
		return 0, false
	}
	end := bytes.IndexAny(n, ",}")
	if end < 0 {
		return 0, false
	}
	ts, err := strconv.ParseInt(string(bytes.TrimSpace(n[:end])), 10, 64)
	return ts, err == nil
}

// SourceString returns a string field of the source block as written,
// escapes kept (the VGTID's quotes stay \"); ok is false when the field is
// absent or not a string.
func SourceString(value []byte, name string) (string, bool) {
	rest, ok := sourceField(value, name)
	if !ok {
		return "", false
	}
	return rawString(rest)
}

// rawString returns the JSON string rest starts with, as written (escapes
// kept); ok is false when rest does not start with a whole string.
func rawString(rest []byte) (string, bool) {
	if !bytes.HasPrefix(rest, []byte(`"`)) {
		return "", false
	}
	// The string ends at the first quote after an even run of backslashes.
	for from := 1; ; {
		j := bytes.IndexByte(rest[from:], '"')
		if j < 0 {
			return "", false
		}
		end := from + j
		n := 0
		for k := end - 1; k >= 1 && rest[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return string(rest[1:end]), true
		}
		from = end + 1
	}
}

// sourceField returns what follows the source block's key name.
func sourceField(value []byte, name string) ([]byte, bool) {
	src, err := fieldValue(value, "source")
	if err != nil || !bytes.HasPrefix(src, []byte("{")) {
		return nil, false
	}
	// The envelope's transaction field follows the source block: a field
	// after it is the record's own (its ts_ms), not the source's.
	if end := bytes.Index(src, []byte(`"transaction":`)); end >= 0 {
		src = src[:end]
	}
	rest, err := fieldValue(src, name)
	return rest, err == nil
}

// fieldValue returns what follows the first key name, spaces skipped.
func fieldValue(value []byte, name string) ([]byte, error) {
	key := `"` + name + `":`
	i := bytes.Index(value, []byte(key))
	if i < 0 {
		return nil, fmt.Errorf("no %q field", name)
	}
	return bytes.TrimLeft(value[i+len(key):], " \t\r\n"), nil
}
