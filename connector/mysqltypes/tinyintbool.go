package mysqltypes

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// boolRule is one custom converter of Debezium's converters property that
// is a TinyIntOneToBooleanConverter: converters=<name>, <name>.type=<class>,
// <name>.selector (regular expressions over "<db>.<table>.<column>", whole
// and ignoring case; unset: every column) and <name>.length.checker (true:
// TINYINT(1) only; false: every TINYINT).
type boolRule struct {
	name          string
	selector      []*regexp.Regexp
	all           bool // no selector set
	lengthChecker bool
}

// parseConverters reads the converters property, whose every converter the
// connector's config has checked is a TinyIntOneToBooleanConverter
// (config.TinyIntBooleanClasses).
func parseConverters(props map[string]string) ([]boolRule, error) {
	list := strings.TrimSpace(props["converters"])
	if list == "" {
		return nil, nil
	}
	var out []boolRule
	var errs []error
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		r, err := parseBoolRule(name, props)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, r)
	}
	return out, errors.Join(errs...)
}

func parseBoolRule(name string, props map[string]string) (boolRule, error) {
	r := boolRule{name: name, all: true, lengthChecker: true}
	if v := props[name+".selector"]; v != "" {
		pats, err := compileRegexList(strings.TrimSpace(v))
		if err != nil {
			return r, fmt.Errorf("property %q: %w", name+".selector", err)
		}
		r.selector, r.all = pats, false
	}
	if v, ok := props[name+".length.checker"]; ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
		case "false":
			r.lengthChecker = false
		default:
			return r, fmt.Errorf("property %q: %q is not true or false (default true: TINYINT(1) columns only)", name+".length.checker", v)
		}
	}
	return r, nil
}

// booleanFor reports whether one of the rules turns the column into a
// BOOLEAN, as Debezium's converter decides: a TINYINT or TINYINT UNSIGNED
// (not ZEROFILL, whose type name differs), of length 1 unless the length
// checker is off, that the selector matches.
func booleanFor(rules []boolRule, db, table string, d *ColumnDef) bool {
	if len(rules) == 0 || d.DataType != "tinyint" {
		return false
	}
	if tn := d.sourceTypeName(false); tn != "TINYINT" && tn != "TINYINT UNSIGNED" {
		return false
	}
	id := db + "." + table + "." + d.Name
	for _, r := range rules {
		if r.lengthChecker && d.sourceLength() != 1 {
			continue
		}
		if r.all || matchAny(r.selector, id) {
			return true
		}
	}
	return false
}

// tinyIntBoolean is the column b as the converter writes it: a boolean,
// true for a value above zero. Debezium's converter takes the value it is
// handed: the number itself in a snapshot, but the binlog's signed byte
// in the stream, so that its stream writes an UNSIGNED column's 128 to 255
// as false and its snapshot as true; Sluice writes them true in both. The
// default is the column's converted, as Debezium's schema has it.
func tinyIntBoolean(def ColumnDef, b builtColumn) builtColumn {
	cv := &converter{col: def.Name, nullable: def.Nullable, fallback: false}
	truth := func(v any) (bool, error) {
		n, err := cv.integer(v, "an integer")
		if def.Unsigned && n < 0 {
			n &= 0xff // decoded as signed
		}
		return n > 0, err
	}
	s := optional(boolSchema, def.Nullable)
	if old := b.col.Schema; old.HasDefault && old.Default != nil {
		if dv, err := truth(old.Default); err == nil {
			s.Default, s.HasDefault, cv.fallback = dv, true, dv
		}
	}
	f := cv.nonNull(func(v any) (any, error) {
		t, err := truth(v)
		if err != nil {
			return nil, err
		}
		return t, nil
	})
	return builtColumn{col: change.Column{Name: def.Name, Schema: s, Convert: f}, kind: kindOther, defaultErr: b.defaultErr}
}
