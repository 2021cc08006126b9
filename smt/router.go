package smt

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/connector/change"
)

// regexRouter is Kafka Connect's RegexRouter: a topic the regex matches
// whole is renamed to the replacement, in which $1 and ${name} stand for
// groups (Java's Matcher.replaceFirst syntax).
type regexRouter struct {
	re, whole   *regexp.Regexp
	replacement string
	routes      topicMemo[string]
}

// topicMemo remembers a per-topic answer: a connector writes to few topics,
// and a regex per record is a quarter of a short chain's cost. Apply runs
// on one goroutine at a time, so it needs no lock; it forgets everything
// when it holds too many topics.
type topicMemo[T any] map[string]T

const topicMemoSize = 4096

func (m *topicMemo[T]) get(topic string, f func(string) (T, error)) (T, error) {
	if v, ok := (*m)[topic]; ok {
		return v, nil
	}
	v, err := f(topic)
	if err != nil {
		return v, err
	}
	if *m == nil || len(*m) >= topicMemoSize {
		*m = topicMemo[T]{}
	}
	(*m)[topic] = v
	return v, nil
}

func newRegexRouter(o options) (Transform, error) {
	v, err := o.required("regex")
	if err != nil {
		return nil, err
	}
	t := &regexRouter{}
	if t.re, t.whole, err = o.regex("regex", v); err != nil {
		return nil, err
	}
	if t.replacement, err = o.required("replacement"); err != nil {
		return nil, err
	}
	// A bad group reference fails for every record in Java; here at start.
	if _, err := javaExpand(t.re, t.replacement, "", nil); err != nil {
		return nil, o.invalid("replacement", t.replacement, err.Error())
	}
	return t, nil
}

func (t *regexRouter) Apply(r *change.Record) (*change.Record, error) {
	topic, err := t.routes.get(r.Topic, t.route)
	if err != nil {
		return nil, err
	}
	r.Topic = topic
	return r, nil
}

func (t *regexRouter) route(topic string) (string, error) {
	if !t.whole.MatchString(topic) {
		return topic, nil
	}
	// replaceFirst finds the first match anew, which may be shorter than
	// the whole topic.
	m := t.re.FindStringSubmatchIndex(topic)
	rep, err := javaExpand(t.re, t.replacement, topic, m)
	if err != nil {
		return "", err
	}
	return topic[:m[0]] + rep + topic[m[1]:], nil
}

// javaExpand expands a java.util.regex replacement: $n (as many digits as
// name an existing group), ${name}, and \x for a literal x. With m nil it
// only checks the references.
func javaExpand(re *regexp.Regexp, rep, src string, m []int) (string, error) {
	var b strings.Builder
	group := func(i int) {
		if m != nil && m[2*i] >= 0 {
			b.WriteString(src[m[2*i]:m[2*i+1]])
		}
	}
	for i := 0; i < len(rep); i++ {
		c := rep[i]
		switch {
		case c == '\\':
			i++
			if i >= len(rep) {
				return "", fmt.Errorf("character to be escaped is missing")
			}
			b.WriteByte(rep[i])
		case c == '$':
			i++
			if i >= len(rep) {
				return "", fmt.Errorf("Illegal group reference: group index is missing")
			}
			if rep[i] == '{' {
				end := strings.IndexByte(rep[i:], '}')
				if end < 0 {
					return "", fmt.Errorf("named capturing group is missing trailing '}'")
				}
				name := rep[i+1 : i+end]
				idx := re.SubexpIndex(name)
				if idx < 0 {
					return "", fmt.Errorf("No group with name {%s}", name)
				}
				group(idx)
				i += end
				continue
			}
			if rep[i] < '0' || rep[i] > '9' {
				return "", fmt.Errorf("Illegal group reference")
			}
			n := int(rep[i] - '0')
			if n > re.NumSubexp() {
				return "", fmt.Errorf("No group %d", n)
			}
			for i+1 < len(rep) && rep[i+1] >= '0' && rep[i+1] <= '9' {
				next := n*10 + int(rep[i+1]-'0')
				if next > re.NumSubexp() {
					break
				}
				n = next
				i++
			}
			group(n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// timestampRouter is Kafka Connect's TimestampRouter: the topic becomes
// topic.format with ${topic} and ${timestamp} (the record timestamp in
// timestamp.format, UTC) filled in.
type timestampRouter struct {
	topicFormat string
	tsFormat    *javaDateFormat
}

func newTimestampRouter(o options) (Transform, error) {
	t := &timestampRouter{topicFormat: "${topic}-${timestamp}"}
	if v, ok := o.str("topic.format"); ok {
		t.topicFormat = v
	}
	f := "yyyyMMdd"
	if v, ok := o.str("timestamp.format"); ok {
		f = v
	}
	var err error
	if t.tsFormat, err = parseJavaDateFormat(f); err != nil {
		return nil, o.invalid("timestamp.format", f, err.Error())
	}
	return t, nil
}

func (t *timestampRouter) Apply(r *change.Record) (*change.Record, error) {
	if r.Timestamp.IsZero() {
		return nil, fmt.Errorf("Timestamp missing on record for topic %s", r.Topic)
	}
	ts := t.tsFormat.format(r.Timestamp.Truncate(time.Millisecond))
	topic := strings.ReplaceAll(t.topicFormat, "${topic}", r.Topic)
	r.Topic = strings.ReplaceAll(topic, "${timestamp}", ts)
	return r, nil
}
