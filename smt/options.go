package smt

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// options reads one transform's or predicate's properties the way Kafka
// Connect's ConfigDef does, and words its errors as ConfigException does
// ("Invalid value x for configuration y: why"), naming the full property
// (transforms.<alias>.<option>) so that a user finds the line to fix.
type options struct {
	prefix string // "transforms.<alias>." or "predicates.<alias>."
	m      map[string]string
}

func transformOptions(alias string, m map[string]string) options {
	return options{prefix: "transforms." + alias + ".", m: m}
}

// name is the full property name of an option.
func (o options) name(opt string) string { return o.prefix + opt }

// invalid is ConfigException(name, value, message).
func (o options) invalid(opt, value, why string) error {
	return fmt.Errorf("Invalid value %s for configuration %s: %s", value, o.name(opt), why)
}

// required returns an option that has no default.
func (o options) required(opt string) (string, error) {
	v, ok := o.m[opt]
	if !ok {
		return "", fmt.Errorf("Missing required configuration %q which has no default value.", o.name(opt))
	}
	return strings.TrimSpace(v), nil
}

// str returns a string option and whether it is set; ConfigDef trims
// string values.
func (o options) str(opt string) (string, bool) {
	v, ok := o.m[opt]
	return strings.TrimSpace(v), ok
}

// list splits a LIST option as ConfigDef does: comma separated, items
// trimmed, an empty value is an empty list.
func (o options) list(opt string) []string {
	return splitList(o.m[opt])
}

func splitList(v string) []string {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// requiredList is a LIST with no default and NonEmptyListValidator.
func (o options) requiredList(opt string) ([]string, error) {
	if _, err := o.required(opt); err != nil {
		return nil, err
	}
	l := o.list(opt)
	if len(l) == 0 {
		return nil, o.invalid(opt, "[]", "Empty list")
	}
	return l, nil
}

// boolean reads a BOOLEAN option: true or false, any case.
func (o options) boolean(opt string, def bool) (bool, error) {
	v, ok := o.str(opt)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, o.invalid(opt, v, "Expected value to be either true or false")
}

// integer reads an INT option; ok is false when it is not set.
func (o options) integer(opt string) (n int, ok bool, err error) {
	v, ok := o.str(opt)
	if !ok || v == "" {
		return 0, false, nil
	}
	i, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, false, o.invalid(opt, v, "Not a number of type INT")
	}
	return int(i), true, nil
}

// oneOf reads a STRING option with ValidString.in(allowed...).
func (o options) oneOf(opt, def string, allowed ...string) (string, error) {
	v, ok := o.str(opt)
	if !ok {
		v = def
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", o.invalid(opt, v, "String must be one of: "+strings.Join(allowed, ", "))
}

// regex compiles a Java regular expression option. Sluice runs Go's RE2,
// which takes the same syntax but for lookarounds, backreferences and
// possessive quantifiers; a pattern that uses them is refused here, at
// start, rather than matched differently. anchored wraps it so that it
// must match the whole input, as Java's Matcher.matches().
func (o options) regex(opt, v string) (re, anchored *regexp.Regexp, err error) {
	re, err = regexp.Compile(v)
	if err == nil {
		anchored, err = regexp.Compile(`^(?:` + v + `)\z`)
	}
	if err != nil {
		return nil, nil, o.invalid(opt, v, "Invalid regex: "+err.Error()+" (Sluice matches with Go's RE2 syntax: Java's lookarounds, backreferences and possessive quantifiers are not available)")
	}
	return re, anchored, nil
}
