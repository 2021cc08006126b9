package config

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reader reads typed values out of a flat property map, records which keys
// it consumed and collects every problem instead of stopping at the first.
type reader struct {
	scope  string
	vals   map[string]string
	origin map[string]string // where a value came from (worker only)
	used   map[string]bool
	errs   Errors
	warns  []Warning
}

func newReader(scope string, vals map[string]string) *reader {
	return &reader{scope: scope, vals: vals, used: make(map[string]bool)}
}

// lookup returns the value of key and marks the key as consumed.
func (r *reader) lookup(key string) (string, bool) {
	r.used[key] = true
	v, ok := r.vals[key]
	return v, ok
}

func (r *reader) fail(key, value, msg string) {
	if IsSensitive(key) && value != "" {
		value = Masked
	}
	r.errs = append(r.errs, &Error{Scope: r.scope, Key: key, Origin: r.origin[key], Value: value, Msg: msg})
}

func (r *reader) warn(key, msg string) {
	r.warns = append(r.warns, Warning{Scope: r.scope, Key: key, Origin: r.origin[key], Msg: msg})
}

// str returns the trimmed value of key, or def when it is absent.
func (r *reader) str(key, def string) string {
	v, ok := r.lookup(key)
	if !ok {
		return def
	}
	return strings.TrimSpace(v)
}

// required returns the trimmed value of key, or records that it is missing;
// what completes "set it to ...".
func (r *reader) required(key, what string) string {
	v := r.str(key, "")
	if v == "" {
		r.fail(key, "", "is required; set it to "+what)
	}
	return v
}

// intRule describes an integer property: its range, the words that describe
// a valid value and its default, e.g. "a positive integer" and "2048".
type intRule struct {
	min, max int64
	form     string
	def      string           // shown as "(default D)"; empty: not shown
	ok       func(int64) bool // extra check (e.g. -1 or positive); nil: range only
}

func (r *reader) use(rule intRule) string {
	if rule.def == "" {
		return "use " + rule.form
	}
	return "use " + rule.form + " (default " + rule.def + ")"
}

// intOpt parses key by rule; set is false when the key is absent or invalid.
func (r *reader) intOpt(key string, rule intRule) (n int64, set bool) {
	raw, ok := r.lookup(key)
	if !ok {
		return 0, false
	}
	v := strings.TrimSpace(raw)
	if v == "" {
		r.fail(key, "", "is empty; "+r.use(rule))
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		r.fail(key, raw, "is out of range; "+r.use(rule))
		return 0, false
	case err != nil:
		r.fail(key, raw, "is not an integer; "+r.use(rule))
		return 0, false
	case n < rule.min || n > rule.max || (rule.ok != nil && !rule.ok(n)):
		r.fail(key, raw, "is out of range; "+r.use(rule))
		return 0, false
	}
	return n, true
}

// integer parses key by rule, falling back to def when absent or invalid.
func (r *reader) integer(key string, def int64, rule intRule) int64 {
	if rule.def == "" {
		rule.def = strconv.FormatInt(def, 10)
	}
	if n, ok := r.intOpt(key, rule); ok {
		return n
	}
	return def
}

// Common integer rules.
func positive(max int64) intRule {
	return intRule{min: 1, max: max, form: "a positive integer"}
}

func nonNegative(max int64) intRule {
	return intRule{min: 0, max: max, form: "a non-negative integer"}
}

func minusOneOrPositive(max int64) intRule {
	return intRule{min: -1, max: max, form: "-1 (the broker's default) or a positive integer",
		ok: func(n int64) bool { return n == -1 || n > 0 }}
}

// millis parses a duration in milliseconds (Debezium's *.ms properties).
func (r *reader) millis(key string, def time.Duration, allowZero bool) time.Duration {
	rule := intRule{min: 1, max: math.MaxInt32, form: "a positive number of milliseconds"}
	if allowZero {
		rule = intRule{min: 0, max: math.MaxInt32, form: "a non-negative number of milliseconds"}
	}
	return time.Duration(r.integer(key, def.Milliseconds(), rule)) * time.Millisecond
}

// boolean parses key like Kafka Connect's ConfigDef BOOLEAN: "true" or
// "false", case-insensitive, surrounding blanks ignored.
func (r *reader) boolean(key string, def bool) bool {
	raw, ok := r.lookup(key)
	if !ok {
		return def
	}
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "true":
		return true
	case "false":
		return false
	case "":
		r.fail(key, "", fmt.Sprintf("is empty; use true or false (default %t)", def))
	default:
		r.fail(key, raw, fmt.Sprintf("is not a boolean; use true or false (default %t)", def))
	}
	return def
}

// enumRule describes a property with a fixed set of values. Debezium parses
// these case-insensitively; Sluice stores them lower-case.
type enumRule struct {
	allowed []string
	def     string
	// aliases maps an accepted spelling to the value stored for it.
	aliases map[string]string
	// unsupported maps values Debezium accepts but Sluice cannot honour to
	// the reason.
	unsupported map[string]string
}

func (e enumRule) use() string {
	return "use one of " + strings.Join(e.allowed, ", ") + " (default " + e.def + ")"
}

func (r *reader) enum(key string, rule enumRule) string {
	raw, ok := r.lookup(key)
	if !ok {
		return rule.def
	}
	v := strings.ToLower(strings.TrimSpace(raw))
	if v == "" {
		r.fail(key, "", "is empty; "+rule.use())
		return rule.def
	}
	if a, ok := rule.aliases[v]; ok {
		return a
	}
	for _, a := range rule.allowed {
		if v == a {
			return v
		}
	}
	if why, ok := rule.unsupported[v]; ok {
		r.fail(key, raw, "is not supported by Sluice ("+why+"); "+rule.use())
		return rule.def
	}
	r.fail(key, raw, "is not one of the allowed values; "+rule.use())
	return rule.def
}

// keysWithPrefix are the properties named prefix..., sorted.
func (r *reader) keysWithPrefix(prefix string) []string {
	var out []string
	for k := range r.vals {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
