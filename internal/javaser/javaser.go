// Package javaser reads the one kind of Java serialization stream Sluice
// meets: the Object[] of key values that Debezium's incremental snapshot
// stores, hex-encoded, in its offsets (incremental_snapshot_primary_key).
// It knows strings, the boxed integers (Integer, Long, Short, Byte),
// BigInteger, BigDecimal, byte[], Duration, LocalDate and LocalDateTime: what the
// JDBC drivers return for integer, unsigned BIGINT, DECIMAL, character,
// binary, TIME and DATE keys. Anything else is ErrUnsupported, and the caller
// does without the value: java.sql.Timestamp above all (MariaDB's driver
// gives one for DATETIME), an instant whose wall time depends on the
// Debezium JVM's time zone, which Sluice cannot know.
package javaser

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// ErrUnsupported: the stream holds a class this package does not read.
var ErrUnsupported = errors.New("a Java serialized value of a class Sluice does not read")

// The stream's grammar bytes (java.io.ObjectStreamConstants).
const (
	tcNull      = 0x70
	tcReference = 0x71
	tcClassDesc = 0x72
	tcObject    = 0x73
	tcString    = 0x74
	tcArray     = 0x75
	tcEndBlock  = 0x78
	tcBlockData = 0x77
	tcBlockLong = 0x7a
	baseHandle  = 0x7e0000

	scWriteMethod    = 0x01 // the class wrote more after its fields
	scExternalizable = 0x04 // the class wrote itself, in blocks
)

// classDesc is a class descriptor: its name, fields, flags, superclass.
type classDesc struct {
	name   string
	flags  byte
	fields []field // in stream order
	super  *classDesc
}

// field is one serialized field: its type code ('I', 'J', 'L', '[', ...)
// and name.
type field struct {
	code byte
	name string
}

// Decimal is a java.math.BigDecimal: Unscaled × 10^-Scale.
type Decimal struct {
	Unscaled *big.Int
	Scale    int32
}

// String is the decimal's exact text, as a SQL numeric literal takes it
// (1.50, -0.001, 1000).
func (d Decimal) String() string {
	digits := new(big.Int).Abs(d.Unscaled).String()
	sign := ""
	if d.Unscaled.Sign() < 0 {
		sign = "-"
	}
	switch {
	case d.Scale <= 0:
		return sign + digits + zeros(int(-d.Scale))
	case int(d.Scale) >= len(digits):
		return sign + "0." + zeros(int(d.Scale)-len(digits)) + digits
	default:
		i := len(digits) - int(d.Scale)
		return sign + digits[:i] + "." + digits[i:]
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

type reader struct {
	b       []byte
	handles []any
}

// ObjectArray decodes a hex-encoded serialized Object[]: int64 for the
// boxed integers, *big.Int for BigInteger, Decimal for BigDecimal, string
// for strings, []byte for byte[], nil for null.
func ObjectArray(hexText string) ([]any, error) {
	b, err := hex.DecodeString(hexText)
	if err != nil {
		return nil, fmt.Errorf("a serialized Java array is not hex: %w", err)
	}
	if len(b) < 4 || binary.BigEndian.Uint32(b) != 0xaced0005 {
		return nil, errors.New("not a Java serialization stream (no ACED0005 magic)")
	}
	r := &reader{b: b[4:]}
	tag, err := r.byte()
	if err != nil {
		return nil, err
	}
	if tag != tcArray {
		return nil, fmt.Errorf("%w: the stream holds no array (tag %#x)", ErrUnsupported, tag)
	}
	if _, err := r.classDesc(); err != nil {
		return nil, err
	}
	r.handles = append(r.handles, nil) // the array itself
	n, err := r.int32()
	if err != nil {
		return nil, err
	}
	if n < 0 || int(n) > len(r.b) {
		return nil, fmt.Errorf("a serialized array of %d elements in %d bytes", n, len(r.b))
	}
	out := make([]any, n)
	for i := range out {
		if out[i], err = r.value(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *reader) value() (any, error) {
	tag, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch tag {
	case tcNull:
		return nil, nil
	case tcString:
		s, err := r.utf()
		r.handles = append(r.handles, s)
		return s, err
	case tcReference:
		return r.reference()
	case tcObject:
		cd, err := r.classDesc()
		if err != nil {
			return nil, err
		}
		if cd != nil && cd.name == "java.time.Ser" && cd.flags&scExternalizable != 0 {
			return r.javaTime()
		}
		return r.object(cd)
	case tcArray:
		return r.array()
	}
	return nil, fmt.Errorf("%w: tag %#x", ErrUnsupported, tag)
}

// array reads a byte[], the one array class a key value is.
func (r *reader) array() (any, error) {
	cd, err := r.classDesc()
	if err != nil {
		return nil, err
	}
	if cd == nil || cd.name != "[B" {
		return nil, fmt.Errorf("%w: an array that is not a byte[]", ErrUnsupported)
	}
	n, err := r.int32()
	if err != nil {
		return nil, err
	}
	if n < 0 || int(n) > len(r.b) {
		return nil, fmt.Errorf("a serialized byte[] of %d bytes in %d", n, len(r.b))
	}
	b := append([]byte{}, r.b[:n]...)
	r.b = r.b[n:]
	r.handles = append(r.handles, b)
	return b, nil
}

// object reads an object's fields, superclass first, and makes them the
// value of a class this package knows. Its handle comes before its
// fields, which may refer back to it.
func (r *reader) object(cd *classDesc) (any, error) {
	if cd == nil {
		return nil, errors.New("a serialized object without a class")
	}
	var chain []*classDesc
	for c := cd; c != nil; c = c.super {
		chain = append([]*classDesc{c}, chain...)
	}
	h := len(r.handles)
	r.handles = append(r.handles, nil)
	fields := map[string]any{}
	for _, c := range chain {
		switch c.name {
		case "java.lang.Number", "java.lang.Integer", "java.lang.Long", "java.lang.Short", "java.lang.Byte",
			"java.math.BigInteger", "java.math.BigDecimal":
		default:
			return nil, fmt.Errorf("%w: %s", ErrUnsupported, c.name)
		}
		for _, f := range c.fields {
			v, err := r.fieldValue(f.code)
			if err != nil {
				return nil, err
			}
			fields[f.name] = v
		}
		if c.flags&scWriteMethod != 0 {
			if err := r.skipAnnotation(); err != nil {
				return nil, err
			}
		}
	}
	v, err := known(cd.name, fields)
	if err != nil {
		return nil, err
	}
	r.handles[h] = v
	return v, nil
}

// known builds the value of a class from its fields.
func known(class string, f map[string]any) (any, error) {
	switch class {
	case "java.math.BigInteger":
		signum, _ := f["signum"].(int64)
		mag, ok := f["magnitude"].([]byte)
		if !ok {
			return nil, errors.New("a serialized BigInteger without its magnitude")
		}
		n := new(big.Int).SetBytes(mag)
		if signum < 0 {
			n.Neg(n)
		}
		return n, nil
	case "java.math.BigDecimal":
		unscaled, ok := f["intVal"].(*big.Int)
		if !ok {
			return nil, errors.New("a serialized BigDecimal without its unscaled value")
		}
		scale, _ := f["scale"].(int64)
		return Decimal{Unscaled: unscaled, Scale: int32(scale)}, nil
	default: // the boxed integers' one field
		v, ok := f["value"].(int64)
		if !ok {
			return nil, fmt.Errorf("a serialized %s without its value", class)
		}
		return v, nil
	}
}

// javaTime reads a java.time value, which java.time.Ser writes as a type
// byte and the value's fields in a block: LocalDate (a DATE key) and
// LocalDateTime; the others (an Instant, a zoned time) are not a key's.
func (r *reader) javaTime() (any, error) {
	h := len(r.handles)
	r.handles = append(r.handles, nil)
	var data []byte
	for {
		tag, err := r.byte()
		if err != nil {
			return nil, err
		}
		if tag == tcEndBlock {
			break
		}
		if tag != tcBlockData || len(r.b) < 1 || len(r.b) < 1+int(r.b[0]) {
			return nil, fmt.Errorf("%w: a java.time value that is not one block", ErrUnsupported)
		}
		data = append(data, r.b[1:1+int(r.b[0])]...)
		r.b = r.b[1+int(r.b[0]):]
	}
	v, err := decodeJavaTime(data)
	if err != nil {
		return nil, err
	}
	r.handles[h] = v
	return v, nil
}

// Date is a java.time.LocalDate.
type Date struct {
	Year       int32
	Month, Day int8
}

// String is the date as a SQL DATE literal's text.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// DateTime is a java.time.LocalDateTime.
type DateTime struct {
	Date
	Hour, Minute, Second int8
	Nano                 int32
}

// String is the date and time as a SQL DATETIME literal's text, with the
// fraction's digits only when it has one.
func (t DateTime) String() string {
	return fmt.Sprintf("%s %02d:%02d:%02d", t.Date, t.Hour, t.Minute, t.Second) + fraction(int64(t.Nano))
}

// fraction is a literal's fraction of a second: "" for none, else its
// digits without trailing zeros (".25").
func fraction(nanos int64) string {
	if nanos == 0 {
		return ""
	}
	return strings.TrimRight(fmt.Sprintf(".%09d", nanos), "0")
}

// Duration is a java.time.Duration: whole seconds (rounded down) and the
// nanoseconds past them, as Java holds it.
type Duration struct {
	Seconds int64
	Nanos   int32
}

// String is the duration as a SQL TIME literal's text ("-838:59:59.5"),
// with the fraction's digits only when it has one.
func (d Duration) String() string {
	total := d.Seconds*1e9 + int64(d.Nanos)
	sign := ""
	if total < 0 {
		sign, total = "-", -total
	}
	secs, ns := total/1e9, total%1e9
	return fmt.Sprintf("%s%02d:%02d:%02d", sign, secs/3600, secs/60%60, secs%60) + fraction(ns)
}

// decodeJavaTime reads java.time.Ser's block: type 1 is a Duration (long
// seconds, int nanos), 3 a LocalDate (int year, byte month, byte day), 5 a
// LocalDateTime (the date, then the time in LocalTime's short form: its
// last non-zero field complemented).
func decodeJavaTime(b []byte) (any, error) {
	if len(b) == 13 && b[0] == 1 {
		return Duration{Seconds: int64(binary.BigEndian.Uint64(b[1:])), Nanos: int32(binary.BigEndian.Uint32(b[9:]))}, nil
	}
	if len(b) < 7 || (b[0] != 3 && b[0] != 5) {
		return nil, fmt.Errorf("%w: a java.time value other than a Duration, LocalDate or LocalDateTime", ErrUnsupported)
	}
	d := Date{Year: int32(binary.BigEndian.Uint32(b[1:])), Month: int8(b[5]), Day: int8(b[6])}
	if b[0] == 3 {
		return d, nil
	}
	t := DateTime{Date: d}
	rest := b[7:]
	fields := []*int8{&t.Hour, &t.Minute, &t.Second}
	for i, f := range fields {
		if len(rest) == 0 {
			return nil, errors.New("a serialized LocalDateTime ends early")
		}
		c := int8(rest[0])
		rest = rest[1:]
		if c < 0 {
			*f = ^c // the last field written
			return t, nil
		}
		*f = c
		if i == len(fields)-1 {
			break
		}
	}
	if len(rest) < 4 {
		return nil, errors.New("a serialized LocalDateTime ends early")
	}
	t.Nano = int32(binary.BigEndian.Uint32(rest))
	return t, nil
}

func (r *reader) fieldValue(code byte) (any, error) {
	if code == 'L' || code == '[' {
		return r.value()
	}
	return r.primitive(code)
}

// skipAnnotation passes what a class's writeObject wrote after its fields,
// up to the end of its block.
func (r *reader) skipAnnotation() error {
	for {
		if len(r.b) == 0 {
			return errors.New("a serialized object ends early")
		}
		switch r.b[0] {
		case tcEndBlock:
			r.b = r.b[1:]
			return nil
		case tcBlockData:
			if len(r.b) < 2 || len(r.b) < 2+int(r.b[1]) {
				return errors.New("a serialized block ends early")
			}
			r.b = r.b[2+int(r.b[1]):]
		case tcBlockLong:
			r.b = r.b[1:]
			n, err := r.int32()
			if err != nil || n < 0 || int(n) > len(r.b) {
				return errors.New("a serialized block ends early")
			}
			r.b = r.b[n:]
		default:
			if _, err := r.value(); err != nil {
				return err
			}
		}
	}
}

func (r *reader) primitive(code byte) (int64, error) {
	size := map[byte]int{'B': 1, 'S': 2, 'I': 4, 'J': 8}[code]
	if size == 0 {
		return 0, fmt.Errorf("%w: a field of type %q", ErrUnsupported, code)
	}
	if len(r.b) < size {
		return 0, errors.New("a serialized value ends early")
	}
	var u uint64
	for _, c := range r.b[:size] {
		u = u<<8 | uint64(c)
	}
	r.b = r.b[size:]
	shift := 64 - 8*size
	return int64(u<<shift) >> shift, nil // sign-extended
}

// classDesc reads a class descriptor, new or a reference to one.
func (r *reader) classDesc() (*classDesc, error) {
	tag, err := r.byte()
	if err != nil {
		return nil, err
	}
	switch tag {
	case tcNull:
		return nil, nil
	case tcReference:
		v, err := r.reference()
		if err != nil {
			return nil, err
		}
		cd, ok := v.(*classDesc)
		if !ok {
			return nil, errors.New("a class reference names no class descriptor")
		}
		return cd, nil
	case tcClassDesc:
	default:
		return nil, fmt.Errorf("%w: class descriptor tag %#x", ErrUnsupported, tag)
	}
	name, err := r.utf()
	if err != nil {
		return nil, err
	}
	cd := &classDesc{name: name}
	if len(r.b) < 9 {
		return nil, errors.New("a class descriptor ends early")
	}
	cd.flags = r.b[8]
	r.b = r.b[9:] // serialVersionUID, flags
	r.handles = append(r.handles, cd)
	if err := r.fields(cd); err != nil {
		return nil, err
	}
	if end, err := r.byte(); err != nil || end != tcEndBlock {
		return nil, fmt.Errorf("%w: %s has class annotations", ErrUnsupported, name)
	}
	if cd.super, err = r.classDesc(); err != nil {
		return nil, err
	}
	return cd, nil
}

// fields reads a class descriptor's fields; an object field's type name
// is a string of the stream, with a handle of its own.
func (r *reader) fields(cd *classDesc) error {
	n, err := r.uint16()
	if err != nil {
		return err
	}
	for range n {
		code, err := r.byte()
		if err != nil {
			return err
		}
		name, err := r.utf()
		if err != nil {
			return err
		}
		if code == 'L' || code == '[' {
			if _, err := r.value(); err != nil { // the field's type
				return err
			}
		}
		cd.fields = append(cd.fields, field{code: code, name: name})
	}
	return nil
}

func (r *reader) reference() (any, error) {
	h, err := r.int32()
	if err != nil {
		return nil, err
	}
	i := int(h) - baseHandle
	if i < 0 || i >= len(r.handles) {
		return nil, fmt.Errorf("a serialized reference to unknown handle %#x", h)
	}
	return r.handles[i], nil
}

// utf reads a modified UTF-8 string with a 16-bit length; the key values
// Sluice meets have no NUL and no supplementary characters, where it
// differs from UTF-8.
func (r *reader) utf() (string, error) {
	n, err := r.uint16()
	if err != nil {
		return "", err
	}
	if len(r.b) < int(n) {
		return "", errors.New("a serialized string ends early")
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s, nil
}

func (r *reader) byte() (byte, error) {
	if len(r.b) < 1 {
		return 0, errors.New("a serialized value ends early")
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c, nil
}

func (r *reader) uint16() (uint16, error) {
	if len(r.b) < 2 {
		return 0, errors.New("a serialized value ends early")
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v, nil
}

func (r *reader) int32() (int32, error) {
	if len(r.b) < 4 {
		return 0, errors.New("a serialized value ends early")
	}
	v := int32(binary.BigEndian.Uint32(r.b))
	r.b = r.b[4:]
	return v, nil
}
