package sidebyside

// The comparison: Debezium's topics and Sluice's, record by record, with
// only what must differ normalised away. Every difference is reduced to a
// kind (where it is: topic class, op for payload paths, JSON path with array
// elements named by their field or column name) so that a summary prints
// each kind once, with a count and one example.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

const absent = "<absent>"

type kindStat struct {
	count   int
	example string
}

type result struct {
	kinds          map[string]*kindStat
	debRecords     int
	sluiceRecords  int
	debTopics      int
	sluiceTopics   int
	comparedTopics int
}

func (r *result) add(kind, example string) {
	k := r.kinds[kind]
	if k == nil {
		k = &kindStat{example: example}
		r.kinds[kind] = k
	}
	k.count++
}

// comparer holds one pair's names: Debezium's prefix is replaced by
// Sluice's in every name and string, so names compare equal.
type comparer struct {
	res    *result
	dp, sp string
	parts  map[string]int // partitions per topic, both sides' topics
	rules  classRules
}

// classRules are a connector class's own rules of comparison.
type classRules struct {
	// normalise, when set, adjusts a decoded record further (the class's
	// own normalisations and record signatures).
	normalise func(class string, x *rec)
	// stream, when set, names the independent stream a record came from
	// (a Vitess shard): one key's records are compared stream by stream,
	// since only the order within a stream is the source's.
	stream func(x rec) string
	// decode, when set, reads a record's key or value bytes (Avro)
	// instead of parsing them as JSON.
	decode func(class string, r *kgo.Record, key bool) any
	// keyBody, when set, is the part of the key bytes that must be equal
	// on both sides (Avro: the body after the framing, whose schema id
	// differs by design).
	keyBody func(b []byte) []byte
}

// compare compares the topics of the Debezium connector (prefix dp) with
// Sluice's (prefix sp).
func compare(deb, sl map[string][]*kgo.Record, parts map[string]int, dp, sp string, rules classRules) *result {
	c := &comparer{res: &result{kinds: map[string]*kindStat{}}, dp: dp, sp: sp, parts: parts, rules: rules}
	names := map[string]bool{}
	dn := map[string]string{}
	for n, rs := range deb {
		nn := sp + strings.TrimPrefix(n, dp)
		dn[nn] = n
		names[nn] = true
		c.res.debRecords += len(rs)
		c.res.debTopics++
	}
	for n, rs := range sl {
		names[n] = true
		c.res.sluiceRecords += len(rs)
		c.res.sluiceTopics++
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		class := c.class(n)
		drs, inD := deb[dn[n]]
		srs, inS := sl[n]
		short := strings.TrimPrefix(n, sp)
		switch {
		case !inD || dn[n] == "":
			c.res.add(fmt.Sprintf("%s topic only in sluice", class), fmt.Sprintf("%s (%d records)", short, len(srs)))
		case !inS:
			c.res.add(fmt.Sprintf("%s topic only in debezium", class), fmt.Sprintf("%s (%d records)", short, len(drs)))
		default:
			c.res.comparedTopics++
			c.topic(class, short, drs, srs)
		}
	}
	return c.res
}

func (c *comparer) class(topic string) string {
	switch {
	case topic == c.sp, topic == c.sp+".ddl": // .ddl: a Vitess pair's override.schema.change.topic
		return "schema-change"
	case topic == c.sp+"-history":
		return "history"
	case topic == c.sp+"-notifications":
		return "notification"
	default:
		return "data"
	}
}

// rec is a record decoded and normalised.
type rec struct {
	r        *kgo.Record
	key      any // parsed, normalised; nil for a null key
	keyOrder string
	value    any // parsed, normalised; nil for a tombstone
	op       string
	sig      string // what aligns records of one key: op, or a DDL's verb and table
	shard    string // the Vitess shard it was read from (classRules.stream)
}

func (c *comparer) decode(class string, r *kgo.Record, debezium bool) rec {
	x := rec{r: r}
	read := func(b []byte, key bool) any {
		if c.rules.decode != nil {
			return c.rules.decode(class, r, key)
		}
		return parse(b)
	}
	if r.Key != nil {
		x.key = c.norm(read(r.Key, true), debezium)
		if c.rules.decode == nil {
			x.keyOrder = fieldOrder(r.Key)
		}
	}
	if r.Value != nil {
		x.value = c.norm(read(r.Value, false), debezium)
		normTimes(class, x.value)
	}
	pl := payloadOf(x.value)
	switch class {
	case "notification":
		x.sig = normNotification(payloadOf(x.key), pl)
	case "data":
		x.op, _ = pl["op"].(string)
		x.sig = x.op
		if r.Value == nil {
			x.sig = "tombstone"
		}
	default:
		ddl, _ := pl["ddl"].(string)
		x.sig = ddlSig(ddl)
	}
	if c.rules.normalise != nil {
		c.rules.normalise(class, &x)
	}
	return x
}

// topic compares one topic's records: grouped by key, aligned within a key
// by their signatures, then compared field by field.
func (c *comparer) topic(class, short string, drs, srs []*kgo.Record) {
	group := func(rs []*kgo.Record, debezium bool) (map[string][]rec, []string) {
		g := map[string][]rec{}
		var order []string
		for _, r := range rs {
			x := c.decode(class, r, debezium)
			// Grouped by the key's payload: a key schema that differs
			// (field order) is a difference to report, not another key.
			k := "<null>"
			if x.key != nil {
				k = canon(payloadOf(x.key))
			}
			if _, ok := g[k]; !ok {
				order = append(order, k)
			}
			g[k] = append(g[k], x)
		}
		for k, xs := range g {
			sort.SliceStable(xs, func(i, j int) bool {
				if k == "<null>" || strings.Contains(k, "(random id)") {
					// Null keys spread over partitions at random
					// (Kafka's sticky partitioner), so no order between
					// them survives: order all of them by content. (By
					// content across partitions and by offset within one
					// would not be an order at all.)
					ci, cj := canon(xs[i].value), canon(xs[j].value)
					if ci != cj {
						return ci < cj
					}
				}
				// One key may span partitions when its bytes changed
				// (e.g. key field order in snapshot vs streaming): across
				// partitions the produce time is the order.
				if xs[i].r.Partition != xs[j].r.Partition {
					return xs[i].r.Timestamp.Before(xs[j].r.Timestamp)
				}
				return xs[i].r.Offset < xs[j].r.Offset
			})
			if c.rules.stream != nil {
				sort.SliceStable(xs, func(i, j int) bool { return c.rules.stream(xs[i]) < c.rules.stream(xs[j]) })
			}
		}
		return g, order
	}
	dg, dorder := group(drs, true)
	sg, sorder := group(srs, false)
	keys := append([]string{}, dorder...)
	for _, k := range sorder {
		if _, ok := dg[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		ds, ss := dg[k], sg[k]
		for _, p := range align(ds, ss) {
			switch {
			case p[0] < 0:
				x := ss[p[1]]
				c.res.add(fmt.Sprintf("%s record only in sluice (%s) in %s", class, x.sig, tableOf(short)), fmt.Sprintf("topic %s key %s: %s", short, trunc(canon(x.key), 200), trunc(canon(x.value), 400)))
			case p[1] < 0:
				x := ds[p[0]]
				c.res.add(fmt.Sprintf("%s record only in debezium (%s) in %s", class, x.sig, tableOf(short)), fmt.Sprintf("topic %s key %s: %s", short, trunc(canon(x.key), 200), trunc(canon(x.value), 400)))
			default:
				c.record(class, short, ds[p[0]], ss[p[1]])
			}
		}
	}
}

// align pairs two record lists by their longest common subsequence of
// signatures; unpaired records get -1 on the other side.
func align(a, b []rec) [][2]int {
	n, m := len(a), len(b)
	l := make([][]int, n+1)
	for i := range l {
		l[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i].sig == b[j].sig {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out [][2]int
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i].sig == b[j].sig:
			out = append(out, [2]int{i, j})
			i++
			j++
		case l[i+1][j] >= l[i][j+1]:
			out = append(out, [2]int{i, -1})
			i++
		default:
			out = append(out, [2]int{-1, j})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, [2]int{i, -1})
	}
	for ; j < m; j++ {
		out = append(out, [2]int{-1, j})
	}
	return out
}

func (c *comparer) record(class, short string, d, s rec) {
	where := fmt.Sprintf("topic %s, debezium %d@%d, sluice %d@%d", short, d.r.Partition, d.r.Offset, s.r.Partition, s.r.Offset)
	add := func(kind string, dv, sv any) {
		c.res.add(class+" "+kind, fmt.Sprintf("debezium %s, sluice %s (%s)", show(dv), show(sv), where))
	}
	// The prefixes differ and the key schema's name holds the prefix, so
	// the key bytes (and the partitions) of the two differ by design.
	// Instead: the key bytes must be equal once Debezium's prefix is
	// replaced (both prefixes have the same length), and each side must
	// put a record in the partition Kafka's default partitioner picks for
	// its key bytes. Together they mean equal keys land in equal
	// partitions.
	if d.r.Key != nil && s.r.Key != nil {
		db, sb := bytes.ReplaceAll(d.r.Key, []byte(c.dp), []byte(c.sp)), s.r.Key
		if c.rules.keyBody != nil {
			db, sb = c.rules.keyBody(d.r.Key), c.rules.keyBody(s.r.Key)
		}
		if class == "notification" {
			// The initial snapshot's notifications are keyed by random ids.
			db, sb = randomID.ReplaceAll(db, []byte("(random id)")), randomID.ReplaceAll(sb, []byte("(random id)"))
		}
		if !bytes.Equal(db, sb) {
			add("key bytes", string(db), string(sb))
		}
		switch {
		case class == "schema-change":
			// Debezium writes every schema change event to partition 0,
			// whatever its key: the partitions must be equal.
			if d.r.Partition != s.r.Partition {
				add("partition", d.r.Partition, s.r.Partition)
			}
		default:
			if n := c.parts[c.dp+strings.TrimPrefix(d.r.Topic, c.dp)]; n > 0 && d.r.Partition != javaPartition(d.r.Key, n) {
				add("partition is not murmur2(key bytes) (debezium)", d.r.Partition, javaPartition(d.r.Key, n))
			}
			if n := c.parts[s.r.Topic]; n > 0 && s.r.Partition != javaPartition(s.r.Key, n) {
				add("partition is not murmur2(key bytes) (sluice)", javaPartition(s.r.Key, n), s.r.Partition)
			}
		}
	}
	if (d.key == nil) != (s.key == nil) {
		add("key null", d.key == nil, s.key == nil)
	} else if d.key != nil {
		n := 0
		diff("key", d.key, s.key, func(p string, dv, sv any) { n++; add(p, dv, sv) })
		if n == 0 && d.keyOrder != s.keyOrder {
			add("key.payload field order", d.keyOrder, s.keyOrder)
		}
	}
	c.headers(d.r.Headers, s.r.Headers, add)
	if (d.value == nil) != (s.value == nil) {
		add("tombstone", d.value == nil, s.value == nil)
		return
	}
	op := d.op
	if op == "" {
		op = s.op
	}
	diff("value", d.value, s.value, func(p string, dv, sv any) {
		// Payload differences depend on the op (a before image exists
		// only in updates and deletes); schema differences do not.
		if class == "data" && strings.HasPrefix(p, "value.payload") {
			p = "op=" + op + " " + p
		}
		if class == "data" && strings.HasSuffix(p, "(names in order)") {
			// Which table's columns differ is the difference.
			p += " in " + tableOf(short)
		}
		add(p, dv, sv)
	})
}

// headers compares record headers by name (and their order), with the
// random run id and the prefixes normalised.
func (c *comparer) headers(dh, sh []kgo.RecordHeader, add func(string, any, any)) {
	norm := func(hs []kgo.RecordHeader, debezium bool) (map[string]any, []string) {
		m := map[string]any{}
		var order []string
		for _, h := range hs {
			var v any = string(h.Value)
			switch {
			case h.Key == "__debezium.context.runId":
				v = "<run id>"
			case len(h.Value) > 0 && (h.Value[0] == '{' || h.Value[0] == '['):
				v = c.norm(parse(h.Value), debezium)
			default:
				v = c.norm(v, debezium)
			}
			if _, dup := m[h.Key]; dup {
				m[h.Key] = fmt.Sprintf("%v + %v", m[h.Key], v)
				continue
			}
			m[h.Key] = v
			order = append(order, h.Key)
		}
		return m, order
	}
	dm, dorder := norm(dh, true)
	sm, sorder := norm(sh, false)
	seen := map[string]bool{}
	for _, k := range append(append([]string{}, dorder...), sorder...) {
		if seen[k] {
			continue
		}
		seen[k] = true
		dv, dok := dm[k]
		sv, sok := sm[k]
		if !dok {
			dv = absent
		}
		if !sok {
			sv = absent
		}
		diff("headers["+k+"]", dv, sv, add)
	}
	common := func(order []string, other map[string]any) string {
		var out []string
		for _, k := range order {
			if _, ok := other[k]; ok {
				out = append(out, k)
			}
		}
		return strings.Join(out, ",")
	}
	if a, b := common(dorder, sm), common(sorder, dm); a != b {
		add("header order", a, b)
	}
}

// diff reports the paths where two decoded JSON values differ. Arrays of
// objects with a "field" (Connect schema fields) or "name" (tableChanges
// columns) are matched by that name, and their order is compared on its
// own; other arrays of objects by index; arrays of plain values as a whole.
func diff(path string, d, s any, out func(string, any, any)) {
	switch dv := d.(type) {
	case map[string]any:
		sv, ok := s.(map[string]any)
		if !ok {
			break
		}
		ks := conformance.UnionKeys(dv, sv)
		for _, k := range ks {
			a, aok := dv[k]
			b, bok := sv[k]
			switch {
			case !aok:
				out(path+"."+k, absent, b)
			case !bok:
				out(path+"."+k, a, absent)
			default:
				diff(path+"."+k, a, b, out)
			}
		}
		return
	case []any:
		sv, ok := s.([]any)
		if !ok {
			break
		}
		dl, sl := labels(dv), labels(sv)
		if dl != nil && sl != nil {
			if strings.Join(dl, ",") != strings.Join(sl, ",") {
				out(path+" (names in order)", strings.Join(dl, ","), strings.Join(sl, ","))
			}
			dm, sm := map[string]any{}, map[string]any{}
			for i, l := range dl {
				dm[l] = dv[i]
			}
			for i, l := range sl {
				sm[l] = sv[i]
			}
			for i, l := range dl {
				if b, ok := sm[l]; ok {
					diff(path+"["+l+"]", dv[i], b, out)
				}
			}
			return
		}
		if objects(dv) && objects(sv) {
			if len(dv) != len(sv) {
				out(path+" (length)", len(dv), len(sv))
			}
			for i := 0; i < len(dv) && i < len(sv); i++ {
				diff(fmt.Sprintf("%s[%d]", path, i), dv[i], sv[i], out)
			}
			return
		}
	}
	if canon(d) != canon(s) {
		out(path, d, s)
	}
}

// labels names an array's elements by their "field" or "name", or is nil.
func labels(a []any) []string {
	if len(a) == 0 {
		return nil
	}
	for _, key := range []string{"field", "name"} {
		var out []string
		for _, e := range a {
			m, ok := e.(map[string]any)
			if !ok {
				return nil
			}
			l, ok := m[key].(string)
			if !ok {
				out = nil
				break
			}
			out = append(out, l)
		}
		if out != nil {
			return out
		}
	}
	return nil
}

func objects(a []any) bool {
	for _, e := range a {
		if _, ok := e.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// norm replaces Debezium's prefix by Sluice's in every string: topic names,
// schema names, source.name, the connector name (the prefix too) and the
// schema history's server name.
func (c *comparer) norm(v any, debezium bool) any {
	if !debezium {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = c.norm(e, true)
		}
	case []any:
		for i, e := range x {
			x[i] = c.norm(e, true)
		}
	case string:
		return strings.ReplaceAll(x, c.dp, c.sp)
	}
	return v
}

// normTimes replaces what must differ between two connectors reading the
// same binlog: processing times; the connector version; and, in snapshot
// records, the snapshot's own time and binlog position (each connector
// takes its snapshot at its own moment, and other databases' writes may
// move the binlog in between). Presence is still compared.
func normTimes(class string, v any) {
	m, _ := v.(map[string]any)
	if m == nil {
		return
	}
	set := func(m map[string]any, val string, keys ...string) {
		for _, k := range keys {
			if _, ok := m[k]; ok && m[k] != nil {
				m[k] = val
			}
		}
	}
	if class == "history" {
		set(m, "<processing time>", "ts_ms")
		if pos, ok := m["position"].(map[string]any); ok && pos["snapshot"] != nil && pos["snapshot"] != false && pos["snapshot"] != "false" {
			set(pos, "<snapshot position>", "ts_sec", "file", "pos", "gtids")
		}
		return
	}
	pl := payloadOf(m)
	if pl == nil {
		return
	}
	set(pl, "<processing time>", "ts_ms", "ts_us", "ts_ns")
	src, _ := pl["source"].(map[string]any)
	if src == nil {
		return
	}
	set(src, "<version>", "version")
	if snap, _ := src["snapshot"].(string); snap != "" && snap != "false" {
		set(src, "<snapshot time>", "ts_ms", "ts_us", "ts_ns")
		set(src, "<snapshot position>", "file", "pos", "gtid")
	}
}

// normNotification replaces what differs between two connectors'
// notifications of the same snapshot, the random ids of the initial
// snapshot's and the time, and returns what aligns them: the type, the
// aggregate and the table.
func normNotification(key, value map[string]any) string {
	for _, m := range []map[string]any{key, value} {
		if id, _ := m["id"].(string); randomID.MatchString(id) {
			m["id"] = "(random id)"
		}
	}
	if value == nil {
		return ""
	}
	if _, ok := value["timestamp"]; ok {
		value["timestamp"] = "<processing time>"
	}
	data, _ := value["additional_data"].(map[string]any)
	table := fmt.Sprint(data["current_collection_in_progress"], data["scanned_collection"])
	return fmt.Sprint(value["type"], " ", value["aggregate_type"], " ", table)
}

// randomID is a UUID, Debezium's UUID.randomUUID() and Sluice's.
var randomID = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

func payloadOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return nil
	}
	if p, ok := m["payload"].(map[string]any); ok {
		if _, hasSchema := m["schema"]; hasSchema {
			return p
		}
	}
	return m
}

var ddlName = regexp.MustCompile("(?i)^\\s*(\\w+)\\s+(\\w+)(?:\\s+IF\\s+(?:NOT\\s+)?EXISTS)?\\s+([^\\s(,;]+)")

// ddlSig is a DDL statement's verb, object kind and name: what pairs the
// schema change records of the two connectors, even when their texts
// differ.
func ddlSig(ddl string) string {
	s := strings.ReplaceAll(ddl, "`", "")
	m := ddlName.FindStringSubmatch(s)
	if m == nil {
		f := strings.Fields(s)
		if len(f) > 0 {
			return strings.ToUpper(f[0])
		}
		return "<no ddl>"
	}
	name := m[3]
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	return strings.ToUpper(m[1]+" "+m[2]) + " " + strings.ToLower(name)
}

func parse(b []byte) any {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "<not JSON: " + string(b) + ">"
	}
	return v
}

// fieldOrder is the wire order of a key payload's fields: it decides the
// key bytes and so the partition.
func fieldOrder(b []byte) string {
	var env map[string]json.RawMessage
	if json.Unmarshal(b, &env) == nil {
		if p, ok := env["payload"]; ok {
			b = p
		}
	}
	return conformance.FieldOrder(b)
}

// canon is a value's JSON with sorted object keys; numbers keep their text,
// so 3 and 3.0 differ as they do on the wire.
func canon(v any) string {
	if s, ok := v.(string); ok && s == absent {
		return absent
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func show(v any) string { return trunc(canon(v), 300) }

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// allowList is allow.txt: kind patterns (* matches any text) for
// differences where Debezium is wrong, each with the reason.
type allowList struct {
	entries []*allowEntry
}

type allowEntry struct {
	file    string
	pattern string
	re      *regexp.Regexp
	reason  string
	used    int
}

// readAllow reads the allow list: a pattern line, then indented lines
// starting with "reason:" (continued by more indented lines); # comments.
// Several files are read in turn into one list.
func readAllow(paths ...string) (*allowList, error) {
	a := &allowList{}
	for _, p := range paths {
		if err := a.read(p); err != nil {
			return nil, err
		}
	}
	return a, nil
}

func (a *allowList) read(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var cur *allowEntry
	for i, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case line[0] == ' ' || line[0] == '\t':
			if cur == nil {
				return fmt.Errorf("%s:%d: an indented line before any pattern", path, i+1)
			}
			cur.reason = strings.TrimSpace(cur.reason + " " + strings.TrimPrefix(trimmed, "reason:"))
		default:
			re := "^" + strings.ReplaceAll(regexp.QuoteMeta(trimmed), `\*`, ".*") + "$"
			cur = &allowEntry{pattern: trimmed, re: regexp.MustCompile(re), file: path}
			a.entries = append(a.entries, cur)
		}
	}
	for _, e := range a.entries {
		if e.reason == "" {
			return fmt.Errorf("%s: %q has no reason line", path, e.pattern)
		}
	}
	return nil
}

func (a *allowList) match(kind string) *allowEntry {
	for _, e := range a.entries {
		if e.re.MatchString(kind) {
			e.used++
			return e
		}
	}
	return nil
}

func (a *allowList) unused() string {
	var b strings.Builder
	for _, e := range a.entries {
		if e.used == 0 {
			fmt.Fprintf(&b, "%s entry matched nothing (stale?): %s\n", e.file, e.pattern)
		}
	}
	return b.String()
}

// summary prints each kind of difference once, allowed ones marked, and
// returns how many kinds are not allowed.
func (r *result) summary(title string, allow *allowList) (string, int) {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\n", title)
	fmt.Fprintf(&b, "   topics: %d debezium, %d sluice, %d compared; records: %d debezium, %d sluice\n",
		r.debTopics, r.sluiceTopics, r.comparedTopics, r.debRecords, r.sluiceRecords)
	var kinds []string
	for k := range r.kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	unallowed := 0
	var lines []string
	for _, k := range kinds {
		st := r.kinds[k]
		tag := "DIFF   "
		if e := allow.match(k); e != nil {
			tag = "allowed"
		} else {
			unallowed++
		}
		lines = append(lines, fmt.Sprintf("   %s %s: %d records\n             e.g. %s\n", tag, k, st.count, st.example))
	}
	fmt.Fprintf(&b, "   %d kinds of difference, %d not in allow.txt\n", len(kinds), unallowed)
	for _, l := range lines {
		b.WriteString(l)
	}
	return b.String(), unallowed
}

// tableOf is the table of a topic name with its prefix cut (".db.table"),
// so that a kind of difference names the table without the run's random
// database name.
func tableOf(short string) string {
	if i := strings.LastIndexByte(short, '.'); i >= 0 {
		return short[i+1:]
	}
	return short
}

// javaPartition is the partition Kafka's Java producer picks for a non-null
// key (offsets.Partition, tested there against Kafka's own vectors).
func javaPartition(key []byte, partitions int) int32 {
	return offsets.Partition(key, int32(partitions))
}
