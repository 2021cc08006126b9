// Package javaser reads the one kind of Java serialization stream Sluice
// meets: the Object[] of key values that Debezium's incremental snapshot
// stores, hex-encoded, in its offsets (incremental_snapshot_primary_key).
// It knows strings and the boxed integers (Integer, Long, Short, Byte);
// anything else is ErrUnsupported, and the caller does without the value.
package javaser

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
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
	baseHandle  = 0x7e0000
)

// classDesc is a class descriptor: its name, primitive fields, superclass.
type classDesc struct {
	name   string
	fields []byte // primitive type codes, in stream order
	super  *classDesc
}

type reader struct {
	b       []byte
	handles []any
}

// ObjectArray decodes a hex-encoded serialized Object[]: int64 for the
// boxed integers, string for strings, nil for null.
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
		return r.boxed(cd)
	}
	return nil, fmt.Errorf("%w: tag %#x", ErrUnsupported, tag)
}

// boxed reads the fields of a boxed integer, superclass (Number, none) first.
func (r *reader) boxed(cd *classDesc) (any, error) {
	var chain []*classDesc
	for c := cd; c != nil; c = c.super {
		chain = append([]*classDesc{c}, chain...)
	}
	var v any
	for _, c := range chain {
		switch c.name {
		case "java.lang.Number":
		case "java.lang.Integer", "java.lang.Long", "java.lang.Short", "java.lang.Byte":
		default:
			return nil, fmt.Errorf("%w: %s", ErrUnsupported, c.name)
		}
		for _, code := range c.fields {
			n, err := r.primitive(code)
			if err != nil {
				return nil, err
			}
			v = n
		}
	}
	r.handles = append(r.handles, v)
	return v, nil
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
	r.b = r.b[9:] // serialVersionUID, flags
	r.handles = append(r.handles, cd)
	n, err := r.uint16()
	if err != nil {
		return nil, err
	}
	for range n {
		code, err := r.byte()
		if err != nil {
			return nil, err
		}
		if _, err := r.utf(); err != nil { // the field's name
			return nil, err
		}
		if code == 'L' || code == '[' {
			return nil, fmt.Errorf("%w: %s has an object field", ErrUnsupported, name)
		}
		cd.fields = append(cd.fields, code)
	}
	if end, err := r.byte(); err != nil || end != tcEndBlock {
		return nil, fmt.Errorf("%w: %s has class annotations", ErrUnsupported, name)
	}
	if cd.super, err = r.classDesc(); err != nil {
		return nil, err
	}
	return cd, nil
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
