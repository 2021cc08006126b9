package ddl

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Which schema history records to replay on a restart: those whose
// position is at or before the stored offset. The order is Debezium's, so
// a history Debezium wrote is replayed up to the same record by Sluice and
// the other way round:
// BinlogHistoryRecordComparator.isPositionAtOrBefore with the GTID sets of
// MySqlGtidSet and MariaDbGtidSet (debezium/debezium at aad5519,
// 2026-08-22: debezium-connector-binlog/.../binlog/history/BinlogHistoryRecordComparator.java,
// debezium-connector-mysql/.../mysql/gtid/MySqlGtidSet.java,
// debezium-connector-mariadb/.../mariadb/gtid/MariaDbGtidSet.java).
//
// Debezium picks the GTID flavor by connector class; here it is read from
// the set's shape, so one comparison serves both. Not carried over:
// gtid.source.includes/excludes (Debezium filters both sets with it before
// comparing), and the warning Debezium logs once when the binlog base name
// changed.

// PositionAtOrBefore reports whether the history record at recorded (its
// "position") is at or before the offset desired. Both are JSON objects
// with Debezium's binlog offset keys: gtids, file, pos, event, row,
// server_id, ts_sec, snapshot; others are ignored.
//
// It assumes, as Debezium does, that GTIDs once enabled stay enabled: a
// position with GTIDs is after every position without. Without GTIDs on
// either side, positions from different servers are ordered by ts_sec
// alone, since their binlog coordinates are unrelated.
func PositionAtOrBefore(recorded, desired []byte) (bool, error) {
	r, err := parseHistoryPosition(recorded)
	if err != nil {
		return false, err
	}
	d, err := parseHistoryPosition(desired)
	if err != nil {
		return false, err
	}
	if d.hasGTIDs {
		if !r.hasGTIDs {
			// GTIDs were enabled after the record was written.
			return true, nil
		}
		rs, ds, err := parseGTIDSetPair(r.gtids, d.gtids)
		if err != nil {
			return false, err
		}
		if rs.equal(ds) {
			// Same transaction: a snapshot record precedes the
			// streaming that follows from the same GTIDs, and within the
			// transaction the events already done decide.
			if !r.snapshot && d.snapshot {
				return false, nil
			}
			return r.event <= d.event, nil
		}
		return rs.containedIn(ds), nil
	}
	if r.hasGTIDs {
		return false, nil
	}

	// A missing server_id is not a different server: snapshot offsets
	// carry none (Debezium dbz#1541).
	if r.hasServerID && d.hasServerID && r.serverID != d.serverID {
		return r.tsSec <= d.tsSec, nil
	}
	rf, err := r.binlogFile(recorded)
	if err != nil {
		return false, err
	}
	df, err := d.binlogFile(desired)
	if err != nil {
		return false, err
	}
	if rf.base != df.base {
		// After a restore or a log_bin_basename change the numbers are
		// unrelated. Replaying the DDL is the safe direction: skipping it
		// would leave the schema incomplete.
		return true, nil
	}
	if rf.ext != df.ext {
		return rf.ext < df.ext, nil
	}
	if r.pos != d.pos {
		return r.pos < d.pos, nil
	}
	if r.event != d.event {
		return r.event < d.event, nil
	}
	return r.row <= d.row, nil
}

// historyPosition is a position with Debezium's defaults for absent keys:
// pos -1, event 0, row -1, ts_sec 0.
type historyPosition struct {
	gtids       string
	hasGTIDs    bool
	snapshot    bool
	serverID    int64
	hasServerID bool
	tsSec       int64
	file        string
	hasFile     bool
	pos         int64
	event       int64
	row         int64
}

func parseHistoryPosition(b []byte) (historyPosition, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return historyPosition{}, fmt.Errorf("decoding binlog position %s: %w", b, err)
	}
	if m == nil {
		return historyPosition{}, fmt.Errorf("binlog position %s is not a JSON object", b)
	}
	p := historyPosition{pos: -1, row: -1}
	var err error
	str := func(key string) (string, bool) {
		switch v := m[key].(type) {
		case nil:
			return "", false
		case string:
			return v, true
		default:
			if err == nil {
				err = fmt.Errorf("binlog position %s: %s is %v, not a string", b, key, v)
			}
			return "", false
		}
	}
	num := func(key string, def int64) (int64, bool) {
		switch v := m[key].(type) {
		case nil:
			return def, false
		case json.Number:
			n, perr := v.Int64()
			if perr != nil && err == nil {
				err = fmt.Errorf("binlog position %s: %s is %s, not an integer", b, key, v)
			}
			return n, perr == nil
		default:
			if err == nil {
				err = fmt.Errorf("binlog position %s: %s is %v, not an integer", b, key, v)
			}
			return def, false
		}
	}
	p.gtids, p.hasGTIDs = str("gtids")
	p.file, p.hasFile = str("file")
	p.pos, _ = num("pos", -1)
	p.event, _ = num("event", 0)
	p.row, _ = num("row", -1)
	p.tsSec, _ = num("ts_sec", 0)
	p.serverID, p.hasServerID = num("server_id", 0)
	// Debezium tests only that the key is there: it writes it while
	// snapshotting only, as true, "true" or the snapshot kind ("INITIAL").
	// Sluice reads false and "false" as no snapshot, as offsets.ParseMySQL
	// does; neither Sluice nor Debezium writes them.
	switch v := m["snapshot"].(type) {
	case nil:
	case bool:
		p.snapshot = v
	case string:
		p.snapshot = !strings.EqualFold(v, "false")
	default:
		if err == nil {
			err = fmt.Errorf("binlog position %s: snapshot is %v, not a boolean", b, v)
		}
	}
	return p, err
}

type binlogFileName struct {
	base string
	ext  int64
}

// binlogFile splits file at its last dot, as Debezium's BinlogFileName
// does: mysql-bin.000012 is base mysql-bin, extension 12, compared as a
// number.
func (p historyPosition) binlogFile(raw []byte) (binlogFileName, error) {
	if !p.hasFile {
		return binlogFileName{}, fmt.Errorf("binlog position %s has neither gtids nor file", raw)
	}
	i := strings.LastIndexByte(p.file, '.')
	if i < 0 {
		return binlogFileName{}, fmt.Errorf("binlog position %s: file name %q has no extension", raw, p.file)
	}
	ext, err := strconv.ParseInt(p.file[i+1:], 10, 64)
	if err != nil {
		return binlogFileName{}, fmt.Errorf("binlog position %s: file name %q has a non-numeric extension", raw, p.file)
	}
	return binlogFileName{base: p.file[:i], ext: ext}, nil
}

// gtidSet is a parsed MySQL or MariaDB GTID set. An empty set has no
// flavor and compares with either.
type gtidSet struct {
	mysql map[mysqlTSID][]gtidInterval // nil unless a non-empty MySQL set
	maria map[mariaStream][]uint64     // nil unless a non-empty MariaDB set; sequences sorted, unique
}

// mysqlTSID identifies a MySQL transaction source: the server UUID (lower
// case) and the tag of MySQL 8.3+ tagged GTIDs ("" for none).
type mysqlTSID struct {
	uuid, tag string
}

type gtidInterval struct {
	start, end int64
}

// mariaStream is a MariaDB domain-server pair.
type mariaStream struct {
	domain, server uint64
}

func (s gtidSet) empty() bool { return len(s.mysql) == 0 && len(s.maria) == 0 }

// parseGTIDSetPair parses two sets that must be of the same flavor (an
// empty set goes with either).
func parseGTIDSetPair(recorded, desired string) (gtidSet, gtidSet, error) {
	rs, err := parseGTIDSet(recorded)
	if err != nil {
		return gtidSet{}, gtidSet{}, err
	}
	ds, err := parseGTIDSet(desired)
	if err != nil {
		return gtidSet{}, gtidSet{}, err
	}
	if (rs.mysql != nil && ds.maria != nil) || (rs.maria != nil && ds.mysql != nil) {
		return gtidSet{}, gtidSet{}, fmt.Errorf("cannot compare GTID sets of different flavors: %q and %q (one MySQL, one MariaDB)", recorded, desired)
	}
	return rs, ds, nil
}

// mariaGTID is the shape MariaDB GTIDs must have (the
// mysql-binlog-connector's MariadbGtidSet.MARIA_GTID_PATTERN, per
// element).
var mariaGTID = regexp.MustCompile(`^\d{1,10}-\d{1,10}-\d{1,20}$`)

// parseGTIDSet reads a MySQL set (uuid:1-5:7,uuid2[:tag]:1-3) when it has a
// ':', a MariaDB set (domain-server-sequence,...) when every element has
// that shape. Line breaks are dropped, as MySQL prints gtid_executed with
// one UUID per line.
func parseGTIDSet(raw string) (gtidSet, error) {
	s := strings.NewReplacer("\n", "", "\r", "").Replace(raw)
	if strings.TrimSpace(s) == "" {
		return gtidSet{}, nil
	}
	if strings.Contains(s, ":") {
		m, err := parseMySQLGTIDSet(s)
		if err != nil {
			return gtidSet{}, fmt.Errorf("parsing MySQL GTID set %q: %w", raw, err)
		}
		return gtidSet{mysql: m}, nil
	}
	m, err := parseMariaDBGTIDSet(s)
	if err != nil {
		return gtidSet{}, fmt.Errorf("parsing GTID set %q: %w", raw, err)
	}
	return gtidSet{maria: m}, nil
}

func parseMySQLGTIDSet(s string) (map[mysqlTSID][]gtidInterval, error) {
	out := map[mysqlTSID][]gtidInterval{}
	for seg := range strings.SplitSeq(s, ",") {
		seg = strings.TrimSpace(seg)
		if seg == "" {
			continue
		}
		parts := strings.Split(seg, ":")
		uuid := strings.TrimSpace(parts[0])
		if !isUUID(uuid) {
			return nil, fmt.Errorf("%q does not start with a server UUID", seg)
		}
		if len(parts) < 2 {
			return nil, fmt.Errorf("%q has no transaction numbers", seg)
		}
		uuid = strings.ToLower(uuid)
		seen := map[mysqlTSID][]gtidInterval{}
		id := mysqlTSID{uuid: uuid}
		for _, part := range parts[1:] {
			part = strings.TrimSpace(part)
			if part == "" {
				return nil, fmt.Errorf("%q has an empty element", seg)
			}
			if part[0] < '0' || part[0] > '9' {
				// A tag: the intervals after it belong to uuid:tag.
				if !isGTIDTag(part) {
					return nil, fmt.Errorf("%q: %q is neither a tag nor transaction numbers", seg, part)
				}
				id = mysqlTSID{uuid: uuid, tag: part}
				continue
			}
			iv, err := parseGTIDInterval(part)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", seg, err)
			}
			seen[id] = append(seen[id], iv)
		}
		// A UUID given twice keeps its last intervals, as Debezium's map
		// keyed by UUID and tag does.
		for id, ivs := range seen {
			out[id] = normalizeIntervals(ivs)
		}
	}
	return out, nil
}

func parseGTIDInterval(s string) (gtidInterval, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	start, err := strconv.ParseInt(lo, 10, 64)
	if err != nil {
		return gtidInterval{}, fmt.Errorf("bad transaction number in %q", s)
	}
	if !isRange {
		return gtidInterval{start, start}, nil
	}
	end, err := strconv.ParseInt(hi, 10, 64)
	if err != nil {
		return gtidInterval{}, fmt.Errorf("bad transaction number in %q", s)
	}
	return gtidInterval{start, end}, nil
}

// normalizeIntervals sorts intervals by start and joins adjacent ones
// (1-3:4-5 is 1-5), as MySqlGtidSet.UUIDSet does. Overlapping intervals
// are left as they are, as there: MySQL never prints them.
func normalizeIntervals(ivs []gtidInterval) []gtidInterval {
	slices.SortStableFunc(ivs, func(a, b gtidInterval) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	out := ivs[:0]
	for _, iv := range ivs {
		if n := len(out); n > 0 && out[n-1].end+1 == iv.start {
			out[n-1].end = iv.end
			continue
		}
		out = append(out, iv)
	}
	return out
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isGTIDTag reports whether s is a GTID tag: a letter or underscore, then
// letters, digits or underscores, at most 32 characters (MySQL 8.3).
func isGTIDTag(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func parseMariaDBGTIDSet(s string) (map[mariaStream][]uint64, error) {
	sets := map[mariaStream]map[uint64]bool{}
	for elem := range strings.SplitSeq(s, ",") {
		elem = strings.TrimSpace(elem)
		if elem == "" {
			continue
		}
		if !mariaGTID.MatchString(elem) {
			return nil, fmt.Errorf("%q is neither a MySQL GTID (uuid:interval) nor a MariaDB GTID (domain-server-sequence)", elem)
		}
		f := strings.Split(elem, "-")
		domain, err1 := strconv.ParseUint(f[0], 10, 64)
		server, err2 := strconv.ParseUint(f[1], 10, 64)
		seq, err3 := strconv.ParseUint(f[2], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil {
			return nil, fmt.Errorf("%q: %w", elem, err)
		}
		st := mariaStream{domain, server}
		if sets[st] == nil {
			sets[st] = map[uint64]bool{}
		}
		sets[st][seq] = true
	}
	out := make(map[mariaStream][]uint64, len(sets))
	for st, seqs := range sets {
		for seq := range seqs {
			out[st] = append(out[st], seq)
		}
		slices.Sort(out[st])
	}
	return out, nil
}

func (s gtidSet) equal(o gtidSet) bool {
	if s.empty() || o.empty() {
		return s.empty() && o.empty()
	}
	if s.mysql != nil {
		if len(s.mysql) != len(o.mysql) {
			return false
		}
		for id, ivs := range s.mysql {
			other, ok := o.mysql[id]
			if !ok || !slices.Equal(ivs, other) {
				return false
			}
		}
		return true
	}
	if len(s.maria) != len(o.maria) {
		return false
	}
	for st, seqs := range s.maria {
		other, ok := o.maria[st]
		if !ok || !slices.Equal(seqs, other) {
			return false
		}
	}
	return true
}

// containedIn reports whether every transaction of s is in o, as the
// flavor's isContainedWithin decides it.
func (s gtidSet) containedIn(o gtidSet) bool {
	if s.empty() {
		return true
	}
	if o.empty() {
		return false
	}
	if s.equal(o) {
		return true
	}
	if s.mysql != nil {
		return mysqlContainedIn(s.mysql, o.mysql)
	}
	return mariaContainedIn(s.maria, o.maria)
}

// mysqlContainedIn: for each UUID (and tag), every interval of s lies
// within one interval of o.
func mysqlContainedIn(s, o map[mysqlTSID][]gtidInterval) bool {
	for id, ivs := range s {
		other, ok := o[id]
		if !ok {
			return false
		}
		if len(ivs) == 0 {
			continue
		}
		if len(other) == 0 {
			return false
		}
		for _, iv := range ivs {
			if !slices.ContainsFunc(other, func(ov gtidInterval) bool { return iv.start >= ov.start && iv.end <= ov.end }) {
				return false
			}
		}
	}
	return true
}

// mariaContainedIn follows MariaDbGtidSet.isContainedWithin: MariaDB
// orders transactions by sequence within a domain whichever server wrote
// them (the server changes at a failover), so each domain-server stream of
// s is compared with all of o's GTIDs in that domain. It is contained when
// o has each of its GTIDs, or else when its lowest sequence is at most
// o's lowest in the domain. A domain missing from o is not contained.
func mariaContainedIn(s, o map[mariaStream][]uint64) bool {
	for st, seqs := range s {
		found := false
		var otherMin uint64
		for ost, oseqs := range o {
			if ost.domain != st.domain {
				continue
			}
			if !found || oseqs[0] < otherMin {
				otherMin = oseqs[0]
			}
			found = true
		}
		if !found {
			return false
		}
		all := true
		for _, seq := range seqs {
			if _, ok := slices.BinarySearch(o[st], seq); !ok {
				all = false
				break
			}
		}
		if all {
			continue
		}
		if seqs[0] > otherMin {
			return false
		}
	}
	return true
}
