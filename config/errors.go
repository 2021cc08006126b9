package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is one problem with one property (or, with Key empty, with a file as a
// whole). Its text names the scope, the property, the offending value and what
// to use instead, e.g.
//
//	connector inventory: property "max.batch.size": value "abc" is not an integer; use a positive integer (default 2048)
//
// Value is empty when the property is missing or was given empty; values of
// sensitive properties (see IsSensitive) are masked.
type Error struct {
	// Scope is "connector <name>", "worker", or the file's path while the
	// connector's name is not known.
	Scope string
	// Key is the property name; empty for problems with the file itself.
	Key string
	// Origin tells where a worker value came from when that is not the file
	// being loaded ("environment variable SLUICE_X", "flag", "file:line").
	Origin string
	// Value is the offending value as given; empty when the property is
	// missing or empty.
	Value string
	// Msg says what is wrong and what to use instead, e.g. "is not an
	// integer; use a positive integer (default 2048)".
	Msg string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Scope != "" {
		b.WriteString(e.Scope)
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString("property ")
		b.WriteString(strconv.Quote(e.Key))
		if e.Origin != "" {
			b.WriteString(" (from ")
			b.WriteString(e.Origin)
			b.WriteString(")")
		}
		if e.Value != "" {
			b.WriteString(": value ")
			b.WriteString(strconv.Quote(e.Value))
		}
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found while loading one configuration, in the order
// the checks ran. It is only returned non-empty. Its Error text holds one
// problem per line; errors.As finds the individual *Error values through
// Unwrap.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the individual problems, for errors.Is and errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Warning is a problem that does not stop Sluice: an unknown property, a
// duplicated key, a default that deserves attention. Its String form is one
// line, e.g.
//
//	connector inventory: property "foo.bar" is not known to Sluice and is ignored
type Warning struct {
	Scope  string
	Key    string // empty for warnings about a file or the environment as a whole
	Origin string // as in Error
	Msg    string
}

func (w Warning) String() string {
	var b strings.Builder
	if w.Scope != "" {
		b.WriteString(w.Scope)
		b.WriteString(": ")
	}
	if w.Key != "" {
		b.WriteString("property ")
		b.WriteString(strconv.Quote(w.Key))
		if w.Origin != "" {
			b.WriteString(" (from ")
			b.WriteString(w.Origin)
			b.WriteString(")")
		}
		b.WriteByte(' ')
	}
	b.WriteString(w.Msg)
	return b.String()
}

// Problem is one finding of a source's checks against its server (sluice
// validate): the server setting or property that is wrong and what to do.
type Problem struct {
	Setting string
	Msg     string
	// Warning problems do not stop the connector.
	Warning bool
}

func (p Problem) String() string {
	level := "error"
	if p.Warning {
		level = "warning"
	}
	return fmt.Sprintf("%s: %s: %s", level, p.Setting, p.Msg)
}
