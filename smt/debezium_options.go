package smt

import (
	"fmt"
	"strconv"
	"strings"
)

// options reads one transform's settings the way Kafka Connect's ConfigDef
// does (values trimmed, booleans and enums case-insensitive) and words
// errors with the full property name, so a user finds the line to fix.
type dbzOptions struct {
	alias string
	m     map[string]string
}

func (o dbzOptions) name(key string) string { return "transforms." + o.alias + "." + key }

// str returns the setting, or def when it is absent.
func (o dbzOptions) str(key, def string) string {
	if v, ok := o.m[key]; ok {
		return strings.TrimSpace(v)
	}
	return def
}

func (o dbzOptions) has(key string) bool {
	_, ok := o.m[key]
	return ok
}

func (o dbzOptions) required(key string) (string, error) {
	v := o.str(key, "")
	if v == "" {
		return "", fmt.Errorf("%s: missing; it is required", o.name(key))
	}
	return v, nil
}

func (o dbzOptions) boolean(key string, def bool) (bool, error) {
	v := o.str(key, "")
	if v == "" {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%s: %q is not a boolean; use true or false", o.name(key), v)
}

func (o dbzOptions) integer(key string, def int) (int, error) {
	v := o.str(key, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not an integer", o.name(key), v)
	}
	return int(n), nil
}

// enum returns the allowed value the setting names (case-insensitive), in
// the spelling of allowed.
func (o dbzOptions) enum(key, def string, allowed ...string) (string, error) {
	v := o.str(key, "")
	if v == "" {
		return def, nil
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a, nil
		}
	}
	return "", fmt.Errorf("%s: %q is not one of %s", o.name(key), v, strings.Join(allowed, ", "))
}

// list splits a Connect LIST setting: comma-separated, each item trimmed,
// empty items left out.
func (o dbzOptions) list(key string) []string {
	return splitNonEmpty(o.str(key, ""))
}

func splitNonEmpty(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
