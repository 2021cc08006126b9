package smt

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // converted.timezone's zones where the container has no zoneinfo

	"github.com/sluice-cdc/sluice/connector/change"
)

// timezoneConverter is io.debezium.transforms.TimezoneConverter: the
// timestamps of a change event's before and after images (and, named in a
// list, of its source block) are moved to converted.timezone, as Debezium
// 3.5 moves them, quirks included (timestampshift.go):
// include.list or exclude.list narrow it to topics or tables and fields.
type timezoneConverter struct {
	alias string
	zone  *time.Location
	// mode is which list was set: "" (neither), "include" or "exclude".
	mode string
	// topics, tables and bare are the list's rules by match name (topic,
	// source table, or either): the fields each names, none for all.
	topics, tables, bare map[string]tzFields
}

// tzFields are a rule's fields by the envelope struct they name (source.x
// in source, before.x in before, after.x in after, a bare name in both
// images), split once when the list is read rather than for each record.
type tzFields map[string]map[string]bool

func (f tzFields) add(name string) {
	part, field := "", name
	for _, p := range []string{"source", "before", "after"} {
		if strings.HasPrefix(name, p+".") {
			part, field = p, name[len(p)+1:]
		}
	}
	for _, p := range []string{"before", "after", "source"} {
		if part == p || part == "" && p != "source" {
			if f[p] == nil {
				f[p] = map[string]bool{}
			}
			f[p][field] = true
		}
	}
}

func (f tzFields) empty() bool { return len(f) == 0 }

// tzListPattern is Debezium's LIST_PATTERN, matched against the list as
// Java prints it ("[a, b]"): the first rule needs a colon, a later one at
// most one, and a rule holds only word characters, dots, quotes and spaces.
var tzListPattern = regexp.MustCompile(`^\[(source|topic|[".\w\s_]+):([".\w\s_]+(?::[".\w\s_]+)?(?:,|]$))+$`)

var tzOffsetPattern = regexp.MustCompile(`^[+-]\d{2}:\d{2}(:\d{2})?$`)

func newTimezoneConverter(alias string, opts map[string]string) (Transform, error) {
	o := dbzOptions{alias, opts}
	name, err := o.required("converted.timezone")
	if err != nil {
		return nil, err
	}
	t := &timezoneConverter{alias: alias, topics: map[string]tzFields{}, tables: map[string]tzFields{}, bare: map[string]tzFields{}}
	if t.zone, err = tzZone(name); err != nil {
		return nil, fmt.Errorf("%s: %w", o.name("converted.timezone"), err)
	}
	include, exclude := tzList(opts, "include.list"), tzList(opts, "exclude.list")
	list, key := include, "include.list"
	if len(include) == 0 {
		list, key = exclude, "exclude.list"
	}
	if len(list) > 0 && !tzListPattern.MatchString("["+strings.Join(list, ", ")+"]") {
		return nil, fmt.Errorf("%s: %q is not a list of rules of the forms source:<table>:<field>, topic:<topic>:<field> and <table or topic>:<field> (Debezium's form: words, dots and spaces; after the first rule, at most one colon a rule)",
			o.name(key), opts[key])
	}
	if len(include) > 0 && len(exclude) > 0 {
		return nil, fmt.Errorf("%s and %s are both set; set only one", o.name("include.list"), o.name("exclude.list"))
	}
	if len(list) > 0 {
		t.mode = strings.TrimSuffix(key, ".list")
		t.collect(list)
	}
	return t, nil
}

// tzZone is the zone converted.timezone names: an offset +hh:mm[:ss], or a
// region of the tz database (Go's, embedded). Debezium also takes Java's
// three-letter TimeZone ids (PST), then fails on every record; Sluice
// refuses them here.
func tzZone(name string) (*time.Location, error) {
	if tzOffsetPattern.MatchString(name) {
		off, ok := parseISOOffset(name)
		if !ok {
			return nil, fmt.Errorf("%q is out of range; offsets go from -18:00 to +18:00", name)
		}
		return time.FixedZone(name, off), nil
	}
	if name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, fmt.Errorf("%q is not a time zone; give a region such as America/Los_Angeles or an offset such as +08:00", name)
}

// tzList is a LIST setting as Debezium's Configuration reads it: split at
// commas (trailing empty items dropped), each item trimmed; absent, empty.
func tzList(opts map[string]string, key string) []string {
	v, ok := opts[key]
	if !ok {
		return nil
	}
	items := javaSplit(v, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// collect files each rule under its match name, as Debezium's
// collectTablesAndTopics: source:<table>[:<field>], topic:<topic>[:<field>],
// <name>:<field> or <name>. A prefix holds for the rules after it that have
// none; only the lower-case prefixes count as prefixes (SOURCE:t:f is the
// bare rule t:f).
func (t *timezoneConverter) collect(list []string) {
	prefix := ""
	for _, item := range list {
		parts := javaSplit(item, ":")
		var p, match, field string
		switch {
		case len(parts) == 1:
			match = parts[0]
		case len(parts) <= 3 && (strings.EqualFold(parts[0], "source") || strings.EqualFold(parts[0], "topic")):
			p, match = parts[0], parts[1]
			if len(parts) == 3 {
				field = parts[2]
			}
		case len(parts) <= 3:
			match, field = parts[0], parts[1]
		}
		if p != "" {
			prefix = p
		}
		m := t.bare
		switch prefix {
		case "topic":
			m = t.topics
		case "source":
			m = t.tables
		}
		if m[match] == nil {
			m[match] = tzFields{}
		}
		if field != "" {
			m[match].add(field)
		}
	}
}

// tzScope is which fields of a matched record are converted.
type tzScope int

const (
	tzAll tzScope = iota
	tzInclude
	tzExclude
)

func (t *timezoneConverter) Apply(r *change.Record) (*change.Record, error) {
	return onStruct(r, isEnvelope, "TimezoneConverter", t.alias, func(v *change.Value) (*change.Record, error) { return t.apply(r, v) })
}

func (t *timezoneConverter) apply(r *change.Record, value *change.Value) (*change.Record, error) {
	table, hasTable, err := sourceTable(value)
	if err != nil {
		return nil, err
	}
	scope, fields, convert := t.scopeOf(r.Topic, table, hasTable)
	if !convert {
		return r, nil
	}
	out, err := t.convertEnvelope(value, scope, fields)
	if err != nil {
		return nil, err
	}
	r.Value = out
	return r, nil
}

// scopeOf decides, as Debezium's handleAllRecords, handleInclude and
// handleExclude, whether and which fields of a record of topic and
// (source) table are converted.
func (t *timezoneConverter) scopeOf(topic, table string, hasTable bool) (tzScope, tzFields, bool) {
	fields, matched := t.match(topic, table, hasTable)
	switch t.mode {
	case "include":
		if !matched {
			return 0, nil, false
		}
		if !fields.empty() {
			return tzInclude, fields, true
		}
		return tzAll, nil, true
	case "exclude":
		if !matched {
			return tzAll, nil, true
		}
		return tzExclude, fields, !fields.empty()
	}
	return tzAll, nil, true
}

// match is Debezium's handleMatchNameAndFields: a topic rule, then a
// source rule, then a bare rule by topic, then by table.
func (t *timezoneConverter) match(topic, table string, hasTable bool) (tzFields, bool) {
	if f, ok := t.topics[topic]; ok {
		return f, true
	}
	if f, ok := t.tables[table]; ok && hasTable {
		return f, true
	}
	if f, ok := t.bare[topic]; ok {
		return f, true
	}
	if f, ok := t.bare[table]; ok && hasTable {
		return f, true
	}
	return nil, false
}

// sourceTable is source.table, as Debezium's getTableFromSource: absent
// (no source field, no table field, not a string) is no table; a null
// source fails, as it does in Debezium.
func sourceTable(env *change.Value) (string, bool, error) {
	i := env.Schema.FieldIndex("source")
	if i < 0 || env.Schema.Fields[i].Schema.Type != change.Struct {
		return "", false, nil
	}
	src, _ := getWithDefault(env, i).(*change.Value)
	if src == nil {
		return "", false, fmt.Errorf("the source block is null")
	}
	j := src.Schema.FieldIndex("table")
	if j < 0 || src.Schema.Fields[j].Schema.Type != change.String {
		return "", false, nil
	}
	s, ok := getWithDefault(src, j).(string)
	return s, ok, nil
}

// convertEnvelope returns a copy of env with its before, after and (for
// fields named source.*) source structs converted; Sluice's values may be
// shared with other records (a transaction's source block), so none is
// changed in place.
func (t *timezoneConverter) convertEnvelope(env *change.Value, scope tzScope, fields tzFields) (*change.Value, error) {
	out := env
	for _, part := range []string{"before", "after", "source"} {
		if part == "source" && len(fields["source"]) == 0 {
			continue
		}
		i := env.Schema.FieldIndex(part)
		if i < 0 || env.Schema.Fields[i].Schema.Type != change.Struct {
			continue
		}
		s, _ := getWithDefault(env, i).(*change.Value)
		if s == nil {
			continue
		}
		conv, err := t.convertStruct(part, s, scope, fields[part])
		if err != nil {
			return nil, err
		}
		if conv != s {
			if out == env {
				out = &change.Value{Schema: env.Schema, Values: slices.Clone(env.Values)}
			}
			out.Values[i] = conv
		}
	}
	return out, nil
}

// tzSupported and tzUnsupported are the logical types Debezium converts
// and those it skips (dates and times of day).
var (
	tzSupported   = []string{change.MicroTimestampName, change.NanoTimestampName, change.TimestampName, change.ZonedTimestampName, zonedTimeName, change.ConnectTimestamp}
	tzUnsupported = []string{change.DateName, change.MicroTimeName, change.NanoTimeName, change.TimeName, change.ConnectDateName, change.ConnectTimeName}
	tzEpochFields = []string{"ts_ms", "ts_us", "ts_ns"}
)

const zonedTimeName = "io.debezium.time.ZonedTime"

// convertStruct is Debezium's handleValueForFields over one of the
// envelope's structs (part): it returns s, or a copy with the converted
// values.
func (t *timezoneConverter) convertStruct(part string, s *change.Value, scope tzScope, fields map[string]bool) (*change.Value, error) {
	out := s
	for i, f := range s.Schema.Fields {
		name := f.Schema.Name
		epoch := part == "source" && name == "" && slices.Contains(tzEpochFields, f.Name)
		if name == "" && !epoch {
			continue
		}
		in := scope == tzAll || scope == tzInclude && fields[f.Name] || scope == tzExclude && !fields[f.Name]
		if !in || slices.Contains(tzUnsupported, name) || !epoch && !slices.Contains(tzSupported, name) {
			continue
		}
		v := getWithDefault(s, i)
		if v == nil {
			continue
		}
		nv, err := t.shift(name, f.Name, v)
		if err != nil {
			return nil, fmt.Errorf("field %s.%s: %w", part, f.Name, err)
		}
		if out == s {
			out = &change.Value{Schema: s.Schema, Values: slices.Clone(s.Values)}
		}
		out.Values[i] = nv
	}
	return out, nil
}
