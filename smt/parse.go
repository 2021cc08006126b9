package smt

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Parse builds the chain a connector file's transforms= and predicates=
// describe, as Kafka Connect's ConnectorConfig does: transforms=a,b lists
// aliases in order; transforms.a.type names the class (looked up in
// connectTransforms, then debeziumTransforms); transforms.a.* are its
// options; transforms.a.predicate names an alias from predicates= whose
// predicates.<p>.type and options decide, per record, whether the transform
// runs (transforms.a.negate=true inverts that). Anything Sluice cannot run
// as written is an error naming the property, at start and from sluice
// validate, never a chain that does something else.
func Parse(props map[string]string) (Chain, error) {
	preds, err := parsePredicates(props)
	if err != nil {
		return nil, err
	}
	aliases := splitList(props["transforms"])
	if err := uniqueAliases("transforms", aliases); err != nil {
		return nil, err
	}
	var chain Chain
	for _, alias := range aliases {
		t, err := parseTransform(props, alias, preds)
		if err != nil {
			return nil, err
		}
		chain = append(chain, t)
	}
	return chain, nil
}

func uniqueAliases(prop string, aliases []string) error {
	for i, a := range aliases {
		if a == "" {
			return fmt.Errorf("Invalid value %s for configuration %s: an alias is empty", strings.Join(aliases, ","), prop)
		}
		if slices.Contains(aliases[:i], a) {
			return fmt.Errorf("Invalid value %s for configuration %s: Duplicate alias provided.", strings.Join(aliases, ","), prop)
		}
	}
	return nil
}

// withPrefix returns the properties under prefix, the prefix removed.
func withPrefix(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

func parseTransform(props map[string]string, alias string, preds map[string]Predicate) (Transform, error) {
	prefix := "transforms." + alias + "."
	opts := withPrefix(props, prefix)
	class, ok := opts["type"]
	class = strings.TrimSpace(class)
	if !ok || class == "" {
		return nil, fmt.Errorf("Missing required configuration %q which has no default value.", prefix+"type")
	}
	predAlias, hasPred := opts["predicate"]
	negateText, hasNegate := opts["negate"]
	delete(opts, "type")
	delete(opts, "predicate")
	delete(opts, "negate")
	if hasNegate && !hasPred {
		return nil, fmt.Errorf("Config '%snegate' was provided but there is no config '%spredicate' defining a predicate to be negated.", prefix, prefix)
	}
	f := connectTransforms[class]
	if f == nil {
		f = debeziumTransforms[class]
	}
	if f == nil {
		return nil, fmt.Errorf("Invalid value %s for configuration %stype: Class %s could not be found. Sluice runs these transforms: %s", class, prefix, class, strings.Join(knownClasses(), ", "))
	}
	inner, err := f(alias, opts)
	if err != nil {
		return nil, fmt.Errorf("transform %q (%s): %w", alias, class, err)
	}
	var t Transform = named{t: inner, alias: alias, class: class}
	if !hasPred {
		return t, nil
	}
	o := transformOptions(alias, map[string]string{})
	if hasNegate {
		o.m["negate"] = negateText
	}
	negate, err := o.boolean("negate", false)
	if err != nil {
		return nil, err
	}
	p := preds[strings.TrimSpace(predAlias)]
	if p == nil {
		return nil, fmt.Errorf("Invalid value %s for configuration %spredicate: no predicate of that alias is listed in predicates= (%s)", predAlias, prefix, props["predicates"])
	}
	return conditional{t: t, p: p, negate: negate}, nil
}

func knownClasses() []string {
	var names []string
	for _, m := range []map[string]Factory{connectTransforms, debeziumTransforms} {
		for k := range m {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// conditional is Kafka Connect's TransformationStage: the transform runs
// when the predicate holds (or does not, negated); other records pass.
type conditional struct {
	t      Transform
	p      Predicate
	negate bool
}

func (c conditional) Apply(r *change.Record) (*change.Record, error) {
	if c.p.Test(r) != c.negate {
		return c.t.Apply(r)
	}
	return r, nil
}

// TransformError is a transform's failure on a record, naming the
// transform: the message a stopped task shows, and the class Kafka
// Connect's error reporting (__connect.errors.class.name) carries.
type TransformError struct {
	Alias, Class string
	Err          error
}

func (e *TransformError) Error() string {
	return fmt.Sprintf("transform %q (%s): %v", e.Alias, e.Class, e.Err)
}

func (e *TransformError) Unwrap() error { return e.Err }

// named wraps a transform's errors in a TransformError.
type named struct {
	t            Transform
	alias, class string
}

func (n named) Apply(r *change.Record) (*change.Record, error) {
	out, err := n.t.Apply(r)
	if err != nil {
		return nil, &TransformError{Alias: n.alias, Class: n.class, Err: err}
	}
	return out, nil
}
