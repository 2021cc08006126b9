package smt

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sluice-cdc/sluice/connector/change"
)

// Predicate decides whether a transform runs on a record, as Kafka
// Connect's predicates do. Test is called from one goroutine at a time.
type Predicate interface {
	Test(r *change.Record) bool
}

const predicatePkg = "org.apache.kafka.connect.transforms.predicates."

// predicateFactories holds Kafka Connect's predicates by class name.
var predicateFactories = map[string]func(o options) (Predicate, error){
	predicatePkg + "TopicNameMatches":  newTopicNameMatches,
	predicatePkg + "RecordIsTombstone": func(options) (Predicate, error) { return recordIsTombstone{}, nil },
	predicatePkg + "HasHeaderKey":      newHasHeaderKey,
}

// parsePredicates builds every predicate predicates= lists, by alias.
func parsePredicates(props map[string]string) (map[string]Predicate, error) {
	aliases := splitList(props["predicates"])
	if err := uniqueAliases("predicates", aliases); err != nil {
		return nil, err
	}
	out := map[string]Predicate{}
	for _, alias := range aliases {
		prefix := "predicates." + alias + "."
		opts := withPrefix(props, prefix)
		class := strings.TrimSpace(opts["type"])
		if class == "" {
			return nil, fmt.Errorf("Missing required configuration %q which has no default value.", prefix+"type")
		}
		f := predicateFactories[class]
		if f == nil {
			var known []string
			for k := range predicateFactories {
				known = append(known, k)
			}
			slices.Sort(known)
			return nil, fmt.Errorf("Invalid value %s for configuration %stype: Class %s could not be found. Sluice has these predicates: %s", class, prefix, class, strings.Join(known, ", "))
		}
		p, err := f(options{prefix: prefix, m: opts})
		if err != nil {
			return nil, fmt.Errorf("predicate %q (%s): %w", alias, class, err)
		}
		out[alias] = p
	}
	return out, nil
}

// topicNameMatches holds when the whole topic name matches pattern.
type topicNameMatches struct {
	re   *regexp.Regexp
	seen *topicMemo[bool]
}

func newTopicNameMatches(o options) (Predicate, error) {
	v, err := o.required("pattern")
	if err != nil {
		return nil, err
	}
	if v == "" {
		return nil, o.invalid("pattern", v, "String must be non-empty")
	}
	_, anchored, err := o.regex("pattern", v)
	if err != nil {
		return nil, err
	}
	return topicNameMatches{anchored, &topicMemo[bool]{}}, nil
}

func (p topicNameMatches) Test(r *change.Record) bool {
	ok, _ := p.seen.get(r.Topic, func(topic string) (bool, error) { return p.re.MatchString(topic), nil })
	return ok
}

// recordIsTombstone holds for a record with a null value.
type recordIsTombstone struct{}

func (recordIsTombstone) Test(r *change.Record) bool { return isNull(r.Value) }

// hasHeaderKey holds when the record has at least one header of the name.
type hasHeaderKey struct{ name string }

func newHasHeaderKey(o options) (Predicate, error) {
	v, err := o.required("name")
	return hasHeaderKey{v}, err
}

func (p hasHeaderKey) Test(r *change.Record) bool {
	for _, h := range r.Headers {
		if h.Key == p.name {
			return true
		}
	}
	return false
}
