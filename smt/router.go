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
	if !t.whole.MatchString(r.Topic) {
		return r, nil
	}
	// replaceFirst finds the first match anew, which may be shorter than
	// the whole topic.
	m := t.re.FindStringSubmatchIndex(r.Topic)
	rep, err := javaExpand(t.re, t.replacement, r.Topic, m)
	if err != nil {
		return nil, err
	}
	r.Topic = r.Topic[:m[0]] + rep + r.Topic[m[1]:]
	return r, nil
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
