package avro

import (
	"fmt"
	"strings"
)

// Name adjustment modes, Debezium's schema.name.adjustment.mode and
// field.name.adjustment.mode values.
const (
	AdjustNone        = "none"
	AdjustAvro        = "avro"
	AdjustAvroUnicode = "avro_unicode"
)

// adjuster makes names valid Avro names the way Debezium's
// SchemaNameAdjuster does: "avro" replaces each character Avro does not
// allow with '_', "avro_unicode" with "_uXXXX" (its UTF-16 code unit in
// hex); "none" leaves names as they are, and the schema derivation then
// refuses an invalid one, naming the setting that fixes it.
type adjuster struct {
	mode string
	prop string // the property that chose mode, for error messages
}

func newAdjuster(mode, prop string) (adjuster, error) {
	switch m := strings.ToLower(strings.TrimSpace(mode)); m {
	case "", AdjustNone:
		return adjuster{mode: AdjustNone, prop: prop}, nil
	case AdjustAvro, AdjustAvroUnicode:
		return adjuster{mode: m, prop: prop}, nil
	}
	return adjuster{}, fmt.Errorf("%s %q: must be %s, %s or %s", prop, mode, AdjustNone, AdjustAvro, AdjustAvroUnicode)
}

// fullName adjusts a dotted record name; dots separate its parts.
func (a adjuster) fullName(name string) (string, error) {
	return a.adjust(name, true)
}

// simpleName adjusts a field name, where a dot is not allowed.
func (a adjuster) simpleName(name string) (string, error) {
	return a.adjust(name, false)
}

func (a adjuster) adjust(name string, dots bool) (string, error) {
	if validName(name, dots) {
		return name, nil
	}
	if a.mode == AdjustNone {
		return "", fmt.Errorf("%q is not a valid Avro name (letters, digits and '_', not starting with a digit); set %s to %s or %s to make Sluice adjust it", name, a.prop, AdjustAvro, AdjustAvroUnicode)
	}
	var sb strings.Builder
	for i, u := range utf16Units(name) {
		ok := isLetter(u) || u == '_' || (i > 0 && isDigit(u)) || (dots && u == '.' && i > 0)
		switch {
		case ok:
			sb.WriteByte(byte(u))
		case a.mode == AdjustAvroUnicode:
			fmt.Fprintf(&sb, "_u%04x", u)
		default:
			sb.WriteByte('_')
		}
	}
	return sb.String(), nil
}

// validName reports whether every dot-separated part of name is an Avro
// name: [A-Za-z_][A-Za-z0-9_]*.
func validName(name string, dots bool) bool {
	if name == "" {
		return false
	}
	start := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.' && dots && !start:
			start = true
			continue
		case isLetter(uint16(c)) || c == '_':
		case isDigit(uint16(c)) && !start:
		default:
			return false
		}
		start = false
	}
	return !start
}

func isLetter(u uint16) bool { return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') }
func isDigit(u uint16) bool  { return u >= '0' && u <= '9' }

// utf16Units returns s as Java sees it: UTF-16 code units, so that a
// replacement names the same characters Debezium's does.
func utf16Units(s string) []uint16 {
	out := make([]uint16, 0, len(s))
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// splitName splits a full name at its last dot into namespace and name, as
// AvroData.splitName does (no dot: no namespace).
func splitName(full string) (namespace, name string) {
	if i := strings.LastIndexByte(full, '.'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "", full
}
