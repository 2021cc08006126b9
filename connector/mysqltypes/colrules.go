package mysqltypes

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
)

// ColumnRules are Debezium's per-column settings, each a list of regular
// expressions matched (whole, case-insensitively) against
// "<db>.<table>.<column>" or, for datatype.propagate.source.type,
// "<db>.<table>.<TYPE>":
//
//	column.truncate.to.N.chars      string and bytes values cut to N (UTF-16 units for strings, as Java)
//	column.mask.with.N.chars        character columns replaced by N '*' (null included, as Debezium)
//	column.propagate.source.type    __debezium.source.column.* schema parameters
//	datatype.propagate.source.type  the same, chosen by type name
//	column.mask.hash.ALG.with.salt.SALT     character columns replaced by a salted hash (maskhash.go)
//	column.mask.hash.v2.ALG.with.salt.SALT  the same, hashing the value's own bytes
//	message.key.columns             "<table regex>:<col>,<col>;..." the columns of the message key
//
// As in Debezium (ColumnMappers.mapperFor) at most one of the first six
// applies to a column: the first matching rule in the order above, rules of
// one kind in property-name order. A zero ColumnRules has no rules.
type ColumnRules struct {
	mappers []mapperRule
	keys    []keyRule
}

// keyRule is one table's entry of message.key.columns: the table pattern
// and, per column named, the "<table regex>.<col>" pattern Debezium's
// Key.CustomKeyMapper matches column ids with.
type keyRule struct {
	table *regexp.Regexp
	cols  []*regexp.Regexp
	names []string
}

type mapperKind uint8

const (
	mapTruncate mapperKind = iota + 1
	mapMask
	mapPropagate
	mapPropagateByType
	mapHash
	mapHashV2
)

type mapperRule struct {
	kind     mapperKind
	n        int // truncate length or mask width
	hash     *saltedHash
	prop     string // the property the rule comes from, for messages
	patterns []*regexp.Regexp
}

var (
	truncateProp = regexp.MustCompile(`^column\.truncate\.to\.(\d+)\.chars$`)
	maskProp     = regexp.MustCompile(`^column\.mask\.with\.(\d+)\.chars$`)
)

// ParseColumnRules reads the column.* mapping properties and
// message.key.columns from a connector's properties. Errors name the
// property. Properties Sluice does not act on are left alone (the caller
// decides whether to refuse them).
func ParseColumnRules(props map[string]string) (ColumnRules, error) {
	var rules ColumnRules
	var errs []error
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var truncs, masks, props1, props2, hashes, hashesV2 []mapperRule
	for _, k := range keys {
		v := props[k]
		var kind mapperKind
		var hash *saltedHash
		n := 0
		if m := truncateProp.FindStringSubmatch(k); m != nil {
			kind = mapTruncate
			n64, err := strconv.ParseInt(m[1], 10, 32)
			if err != nil {
				errs = append(errs, fmt.Errorf("property %q: %s is not a length Sluice can use; use a number up to 2147483647", k, m[1]))
				continue
			}
			n = int(n64)
		} else if m := maskProp.FindStringSubmatch(k); m != nil {
			kind = mapMask
			n64, err := strconv.ParseInt(m[1], 10, 32)
			if err != nil || n64 > 1<<20 {
				errs = append(errs, fmt.Errorf("property %q: %s is not a mask width Sluice can use; use a number up to 1048576", k, m[1]))
				continue
			}
			n = int(n64)
		} else if k == "column.propagate.source.type" {
			kind = mapPropagate
		} else if k == "datatype.propagate.source.type" {
			kind = mapPropagateByType
		} else if h, ok, err := parseHashProp(k); ok {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			kind, hash = mapHash, h
			if h.v2 {
				kind = mapHashV2
			}
		} else {
			continue
		}
		pats, err := compileRegexList(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("property %q: %w", k, err))
			continue
		}
		if len(pats) == 0 {
			continue
		}
		r := mapperRule{kind: kind, n: n, hash: hash, prop: k, patterns: pats}
		switch kind {
		case mapTruncate:
			truncs = append(truncs, r)
		case mapMask:
			masks = append(masks, r)
		case mapPropagate:
			props1 = append(props1, r)
		case mapPropagateByType:
			props2 = append(props2, r)
		case mapHash:
			hashes = append(hashes, r)
		case mapHashV2:
			hashesV2 = append(hashesV2, r)
		}
	}
	rules.mappers = slices.Concat(truncs, masks, props1, props2, hashes, hashesV2)
	if v, ok := props["message.key.columns"]; ok && strings.TrimSpace(v) != "" {
		keys, err := parseKeyColumns(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("property \"message.key.columns\": %w", err))
		}
		rules.keys = keys
	}
	return rules, errors.Join(errs...)
}

var keyColumnsEntry = regexp.MustCompile(`^\s*([^:]+):([^:,]+(,[^:,]+)*)\s*$`)

// parseKeyColumns reads "<table regex>:<col>,<col>;<table regex>:<col>" into
// one pattern per column, "<table regex>.<col>", as Debezium's
// Key.CustomKeyMapper does.
func parseKeyColumns(v string) ([]keyRule, error) {
	var out []keyRule
	for _, entry := range strings.Split(v, ";") {
		if !keyColumnsEntry.MatchString(entry) {
			return nil, fmt.Errorf("%q is not <fully-qualified table regex>:<column>[,<column>...]; separate tables with ';', e.g. inventory.customers:id,email;inventory\\.orders.*:order_id", entry)
		}
		entry = strings.TrimSpace(entry)
		table, cols, _ := strings.Cut(entry, ":")
		var r keyRule
		var err error
		if r.table, err = compileAnchored(table); err != nil {
			return nil, fmt.Errorf("pattern %q: %w", table, err)
		}
		for _, c := range strings.Split(cols, ",") {
			p := table + "." + strings.TrimSpace(c)
			re, err := compileAnchored(p)
			if err != nil {
				return nil, fmt.Errorf("pattern %q: %w", p, err)
			}
			r.cols, r.names = append(r.cols, re), append(r.names, strings.TrimSpace(c))
		}
		out = append(out, r)
	}
	return out, nil
}

// compileRegexList splits a comma-separated list of Java regular
// expressions as Debezium does (a comma escaped with a backslash belongs to
// the pattern) and compiles each, anchored and case-insensitive.
func compileRegexList(s string) ([]*regexp.Regexp, error) {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) {
				return nil, errors.New("ends in an unterminated escape (a lone backslash)")
			}
			if s[i+1] == ',' {
				cur.WriteByte(',')
			} else {
				cur.WriteByte(c)
				cur.WriteByte(s[i+1])
			}
			i++
		case ',':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	parts = append(parts, cur.String())
	var out []*regexp.Regexp
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		re, err := compileAnchored(p)
		if err != nil {
			return nil, fmt.Errorf("pattern %q: %w", p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

func compileAnchored(p string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`(?i)^(?:` + p + `)$`)
	if err != nil {
		return nil, fmt.Errorf("%v; Sluice runs these patterns with Go's RE2 engine, which has no lookaround, backreferences or possessive quantifiers", err)
	}
	return re, nil
}

func matchAny(pats []*regexp.Regexp, s string) bool {
	for _, p := range pats {
		if p.MatchString(s) {
			return true
		}
	}
	return false
}

// mapperFor returns the rule that applies to a column, or nil.
func (r *ColumnRules) mapperFor(db, table string, d *ColumnDef, jsonTyped bool) *mapperRule {
	if r == nil {
		return nil
	}
	id := db + "." + table + "." + d.Name
	for i := range r.mappers {
		m := &r.mappers[i]
		s := id
		if m.kind == mapPropagateByType {
			s = db + "." + table + "." + d.sourceTypeName(jsonTyped)
		}
		if matchAny(m.patterns, s) {
			return m
		}
	}
	return nil
}

// keyColumns returns the message key columns message.key.columns picks
// for a table, or nil when it picks none (the primary key is the key), and
// the columns an entry for this table names that match none of its columns:
// Debezium leaves those out of the key without a word, which turns a typo
// into a key of fewer columns, or the primary key.
func (r *ColumnRules) keyColumns(db, table string, defs []ColumnDef) (out []int, missing []string) {
	if r == nil || len(r.keys) == 0 {
		return nil, nil
	}
	for _, k := range r.keys {
		named := k.table.MatchString(db + "." + table)
		for j, p := range k.cols {
			found := false
			for i := range defs {
				if p.MatchString(db + "." + table + "." + defs[i].Name) {
					found = true
					if !slices.Contains(out, i) {
						out = append(out, i)
					}
				}
			}
			if named && !found {
				missing = append(missing, k.names[j])
			}
		}
	}
	return out, missing
}

// NewTypeOptions makes the TypeOptions of a connector from its handling
// modes and its properties (column.* rules, message.key.columns,
// enable.time.adjuster). It refuses, naming the property, settings Sluice
// accepts in a Debezium file but cannot honour.
func NewTypeOptions(decimalMode, bigintMode, timeMode, binaryMode string, props map[string]string) (TypeOptions, error) {
	opt := TypeOptions{DecimalMode: decimalMode, BigIntUnsignedMode: bigintMode, TimePrecisionMode: timeMode, BinaryMode: binaryMode,
		ConvertFailure: config.FailureWarn}
	if v, ok := props["event.converting.failure.handling.mode"]; ok {
		opt.ConvertFailure = strings.ToLower(strings.TrimSpace(v))
	}
	if err := opt.Validate(); err != nil {
		return opt, err
	}
	for k, v := range props {
		switch {
		case (k == "column.include.list" || k == "column.exclude.list") && strings.TrimSpace(v) != "":
			if props["column.include.list"] != "" && props["column.exclude.list"] != "" {
				return opt, fmt.Errorf("properties \"column.include.list\" and \"column.exclude.list\" are both set; use one of them")
			}
			pats, err := columnPatterns(k, v)
			if err != nil {
				return opt, err
			}
			opt.ColumnFilter = columnFilter{patterns: pats, include: k == "column.include.list"}
		}
	}
	if v, ok := props["enable.time.adjuster"]; ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
		case "false":
			opt.NoTimeAdjuster = true
		default:
			return opt, fmt.Errorf("property \"enable.time.adjuster\": %q is not true or false (default true)", v)
		}
	}
	if v, ok := props[PropMariaDBJSON]; ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			opt.MariaDBJSON = true
		case "false":
		default:
			return opt, fmt.Errorf("property %q: %q is not true or false (default false: MariaDB JSON columns are plain strings, as Debezium writes them)", PropMariaDBJSON, v)
		}
	}
	rules, err := ParseColumnRules(props)
	if err != nil {
		return opt, err
	}
	opt.Columns = rules
	if opt.Booleans, err = parseConverters(props); err != nil {
		return opt, err
	}
	return opt, nil
}

// PropMariaDBJSON is Sluice's own property for TypeOptions.MariaDBJSON.
const PropMariaDBJSON = "sluice.mariadb.json.as.json"

// columnFilter is column.include.list or column.exclude.list: regular
// expressions matched, whole and ignoring case, against
// "<database>.<table>.<column>".
type columnFilter struct {
	patterns []*regexp.Regexp
	include  bool
}

// keeps reports whether the column goes into change events.
func (f columnFilter) keeps(db, table, column string) bool {
	if len(f.patterns) == 0 {
		return true
	}
	name := db + "." + table + "." + column
	for _, p := range f.patterns {
		if p.MatchString(name) {
			return f.include
		}
	}
	return !f.include
}

func columnPatterns(prop, v string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		re, err := regexp.Compile("(?i)^(?:" + p + ")$")
		if err != nil {
			return nil, fmt.Errorf("property %q: pattern %q is not a valid regular expression: %v", prop, p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// --- column mappers (column.truncate/mask/propagate) ---

// applyMapper changes a column's schema and converter as Debezium's
// ColumnMapper does: the mapper's parameters follow the type's own, and
// the mapping converter runs on the converted value (on null too).
func applyMapper(b *builtColumn, m *mapperRule, def *ColumnDef, jsonTyped bool) (changesValues bool) {
	s := *b.col.Schema
	s.Parameters = append([]change.Param(nil), s.Parameters...)
	conv := b.col.Convert
	switch m.kind {
	case mapTruncate:
		length := def.sourceLength()
		if length >= 0 && length <= m.n {
			return false
		}
		s.Parameters = append(s.Parameters, change.Param{Key: "truncateLength", Value: strconv.Itoa(m.n)})
		if b.kind == kindChars || b.kind == kindString || b.kind == kindBytes {
			n := m.n
			b.col.Convert = func(v any) (any, error) {
				out, err := conv(v)
				if err != nil {
					return nil, err
				}
				switch x := out.(type) {
				case string:
					return truncateUTF16(x, n), nil
				case []byte:
					if len(x) > n {
						return x[:n:n], nil
					}
				}
				return out, nil
			}
			changesValues = true
		}
	case mapMask:
		s.Parameters = append(s.Parameters, change.Param{Key: "masked", Value: "true"})
		if b.kind == kindChars {
			mask := strings.Repeat("*", m.n)
			b.col.Convert = func(any) (any, error) { return mask, nil }
			changesValues = true
		}
	case mapHash, mapHashV2:
		s.Parameters = append(s.Parameters, change.Param{Key: "masked", Value: "true"})
		if b.kind == kindChars {
			b.col.Convert = m.hash.converter(conv, def.sourceLength())
			changesValues = true
		}
	case mapPropagate, mapPropagateByType:
		s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.type", Value: def.sourceTypeName(jsonTyped)})
		if l := def.sourceLength(); l >= 0 {
			s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.length", Value: strconv.Itoa(l)})
		}
		if sc, ok := def.sourceScale(); ok {
			s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.scale", Value: strconv.Itoa(sc)})
		}
		if def.Comment != nil {
			s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.comment", Value: *def.Comment})
		}
		s.Parameters = append(s.Parameters, change.Param{Key: "__debezium.source.column.name", Value: def.Name})
	}
	b.col.Schema = &s
	return changesValues
}

// truncateUTF16 is Java's String.substring(0, n) when length() > n: n
// UTF-16 code units. A surrogate pair the cut would split is dropped whole.
func truncateUTF16(s string, n int) string {
	if len(s) <= n {
		return s // fewer bytes than n means fewer UTF-16 units too
	}
	units := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if units+w > n {
			return s[:i]
		}
		units += w
	}
	return s
}

// sourceTypeName is Debezium's column type name, upper case, as its DDL
// parser names it from SHOW CREATE TABLE: "VARCHAR", "INT UNSIGNED",
// "DECIMAL", "ENUM". A MariaDB JSON column is the LONGTEXT it is, unless
// JSON columns are typed as JSON (sluice.mariadb.json.as.json).
func (d *ColumnDef) sourceTypeName(jsonTyped bool) string {
	if d.VStreamType != "" {
		return d.VStreamType
	}
	if d.JSON && jsonTyped {
		return "JSON"
	}
	t := d.ColumnType
	if t == "" {
		name := strings.ToUpper(d.DataType)
		if d.Unsigned {
			name += " UNSIGNED"
		}
		return name
	}
	head := t
	tail := ""
	if i := strings.IndexByte(t, '('); i >= 0 {
		head = t[:i]
		if j := strings.LastIndexByte(t, ')'); j > i {
			tail = t[j+1:]
		}
	} else if i := strings.IndexByte(t, ' '); i >= 0 {
		head, tail = t[:i], t[i:]
	}
	name := strings.ToUpper(strings.TrimSpace(head))
	for _, w := range strings.Fields(strings.ToUpper(tail)) {
		if w == "UNSIGNED" || w == "ZEROFILL" || w == "SIGNED" {
			name += " " + w
		}
	}
	return name
}

// sourceLength is Debezium's column.length(): the first number of the
// declared type (ENUM 1, SET the options plus commas), or -1.
func (d *ColumnDef) sourceLength() int {
	if d.VStreamType != "" {
		switch d.DataType {
		case "time", "datetime", "timestamp":
			return d.FSP
		}
		return -1
	}
	if d.NoWidth {
		return -1
	}
	switch d.DataType {
	case "enum":
		return 1
	case "set":
		return max(0, 2*len(d.EnumValues)-1)
	}
	if d.ColumnType == "" {
		switch d.DataType {
		case "decimal", "numeric", "bit":
			return d.Precision
		case "datetime", "timestamp", "time":
			if d.FSP > 0 {
				return d.FSP
			}
		}
		return -1
	}
	l, _, ok, _ := typeDims(d.ColumnType)
	if !ok {
		return -1
	}
	return l
}

// sourceScale is Debezium's column.scale(): DECIMAL's scale, and the D of
// FLOAT(M,D)/DOUBLE(M,D).
func (d *ColumnDef) sourceScale() (int, bool) {
	if d.VStreamType != "" {
		return 0, false
	}
	if d.ColumnType == "" {
		if d.DataType == "decimal" || d.DataType == "numeric" {
			return d.Scale, true
		}
		return 0, false
	}
	_, sc, _, ok := typeDims(d.ColumnType)
	return sc, ok
}

func hasScale(columnType string) bool {
	_, _, _, ok := typeDims(columnType)
	return ok
}

// typeDims reads "(M)" or "(M,D)" after the type name; enum and set
// values are not dimensions.
func typeDims(columnType string) (length, scale int, hasLength, hasScale bool) {
	i := strings.IndexByte(columnType, '(')
	if i < 0 || strings.HasPrefix(columnType, "enum") || strings.HasPrefix(columnType, "set") {
		return 0, 0, false, false
	}
	j := strings.IndexByte(columnType[i:], ')')
	if j < 0 {
		return 0, 0, false, false
	}
	a, b, two := strings.Cut(columnType[i+1:i+j], ",")
	l, err := strconv.Atoi(strings.TrimSpace(a))
	if err != nil {
		return 0, 0, false, false
	}
	if !two {
		return l, 0, true, false
	}
	sc, err := strconv.Atoi(strings.TrimSpace(b))
	if err != nil {
		return l, 0, true, false
	}
	return l, sc, true, true
}
