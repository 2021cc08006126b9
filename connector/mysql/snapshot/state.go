package snapshot

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/change"
)

// State is a snapshot's progress, stored inside the offset (field
// "sluice_snapshot") so that a restarted task resumes after the last
// finished chunk, and so that streaming, which starts at the position
// taken before the first chunk, can skip the changes each chunk's rows
// already contain.
type State struct {
	// Start is where streaming begins once the snapshot is done: the
	// server's position before the first chunk was read.
	Start struct {
		File  string `json:"file"`
		Pos   uint64 `json:"pos"`
		GTIDs string `json:"gtids"`
	} `json:"start"`
	Tables []string `json:"tables"` // "db.table", in snapshot order
	Done   []Chunk  `json:"done"`   // finished chunks, in emission order
	// InFlight is the range whose rows were being emitted: committed before
	// its first row, cleared with its last. After a crash it is the one
	// range whose rows may partly be in Kafka, read at InFlight.GTIDs.
	InFlight *Chunk `json:"in_flight,omitempty"`
	// Guards are ranges read again after a crash (earlier InFlights, with
	// the earlier read's position): until the stream passes the snapshot, a
	// delete that happened after the earlier read, of a key the range no
	// longer has, is sent, so a row the earlier read put in Kafka does not
	// outlive its delete.
	Guards   []Chunk `json:"guards,omitempty"`
	Complete bool    `json:"complete"`
	// Conditions narrow a table's rows (a blocking snapshot's
	// additional-conditions): table -> SQL condition.
	Conditions map[string]string `json:"conditions,omitempty"`
	// Blocking marks a blocking snapshot: its topics already hold the
	// tables' history, so the stream after it filters nothing. A change
	// its ranges already show is written again (as Debezium writes it);
	// dropping it would drop deletes of rows the ranges no longer have,
	// whose earlier records the topics keep.
	Blocking bool `json:"blocking,omitempty"`
	// Selects replace a table's SELECT (a blocking snapshot's
	// additional-conditions, whose filter Debezium takes as the whole
	// statement): table -> statement, read in one piece.
	Selects map[string]string `json:"selects,omitempty"`
	// ServerID, GTID and Query are the stream's, where a blocking
	// snapshot starts: its rows' source block carries them, as Debezium's
	// does.
	ServerID uint32 `json:"server_id,omitempty"`
	GTID     string `json:"gtid,omitempty"`
	Query    string `json:"query,omitempty"` // include.query: the stream's last statement
	// Incremental is the on-demand snapshots' progress where a blocking
	// snapshot starts. The blocking snapshot's offsets carry it beside the
	// state (offsets.MySQL.SluiceIncremental, not in the state's JSON), so
	// a crash during it does not forget an on-demand snapshot under way.
	Incremental string `json:"-"`
	// InitialFilter is the initial snapshot's progress (an encoded State)
	// that the stream still filtered by when a blocking snapshot started:
	// the stream after a resumed blocking snapshot filters by it again, so
	// that a crash does not write again the changes the initial ranges hold.
	InitialFilter string `json:"initial_filter,omitempty"`
	// Vanished are the tables dropped or renamed before the snapshot read
	// them whole, each with the server's GTID set once the snapshot was
	// done: the filter lives until the stream has passed it, so the stream
	// sees the DDL that took the table away while it still knows the table
	// (SkipFilter.Renamed).
	Vanished []Chunk `json:"vanished,omitempty"`
	// Keys names the primary-key columns of each table whose message key
	// is other columns (message.key.columns): the ranges split the
	// primary key, so the stream must find a row's range, and a guard
	// its identity, by the primary key too, not by the message key. A
	// table not named here (every table of an offset written before the
	// thirty-second session) has its message key as primary key.
	Keys map[string][]string `json:"keys,omitempty"`
}

// Chunk is a primary-key range whose rows are in Kafka as of GTID set G.
// Lo and Hi bound the key's first column, placed as Key says (Lo
// inclusive, Hi exclusive); nil is unbounded. A table read in one piece
// has both nil.
type Chunk struct {
	Table string `json:"t"`
	Lo    *int64 `json:"lo,omitempty"`
	Hi    *int64 `json:"hi,omitempty"`
	GTIDs string `json:"g"`
	// Key is how Lo and Hi place a row by its key's first column
	// (keyKind): "" (an integer's value), "u" (BIGINT UNSIGNED), "b"
	// (BINARY and VARBINARY), "n" (DECIMAL), "f" (FLOAT, DOUBLE), "t"
	// (DATETIME), "d" (DATE), "z" (TIMESTAMP) or "h" (TIME). Every range
	// of a table has the same.
	Key keyKind `json:"k,omitempty"`
}

// noteKey records t's primary key in Keys when its message key is other
// columns (message.key.columns), and forgets an earlier run's entry when it
// no longer is. A table without primary key keeps its message key.
func (s *State) noteKey(t *snapTable) {
	if len(t.pk) == 0 || slices.Equal(t.pk, t.table.Key) {
		delete(s.Keys, t.name)
		return
	}
	names := make([]string, len(t.pk))
	for i, k := range t.pk {
		names[i] = t.defs[k].Name
	}
	s.Keys[t.name] = names // Run made the map
}

func (s *State) encode() string {
	b, _ := json.Marshal(s) // only strings, numbers and slices of them
	return string(b)
}

// DecodeState reads the progress an offset keeps (its sluice_snapshot field).
func DecodeState(v string) (*State, error) {
	var s State
	if err := json.Unmarshal([]byte(v), &s); err != nil {
		return nil, fmt.Errorf("decoding the snapshot progress stored in the offset: %w", err)
	}
	return &s, nil
}

// tableDone reports whether every chunk of table t is done, and where the
// next chunk starts when it is partly done (nil: not started).
func (s *State) tableProgress(t string) (done bool, resumeFrom *int64, started bool) {
	for _, c := range s.Done {
		if c.Table != t {
			continue
		}
		started = true
		if c.Hi == nil {
			return true, nil, true
		}
		resumeFrom = c.Hi
	}
	return false, resumeFrom, started
}

// SkipFilter drops streamed changes that a snapshot chunk already contains:
// a change to a row in chunk C whose GTID is in C's GTID set happened before
// C was read. It is built once when streaming starts after a snapshot and
// dropped once the stream has passed every chunk's position.
type SkipFilter struct {
	flavor  string
	guards  []*guard
	key     primaryKeys
	encoded string // the encoded State, kept in offsets while the filter lives
	tables  map[string][]filterChunk
	all     gmysql.GTIDSet // union of the chunks' sets: once the stream contains it, the filter is done
	// vanished are State.Vanished's tables, lowercased "db.table"; their
	// sets are in all.
	vanished map[string]bool

	lastGTID string
	lastSet  gmysql.GTIDSet
}

type filterChunk struct {
	lo, hi *int64
	set    gmysql.GTIDSet
	key    keyKind // Chunk.Key, the same for every chunk of a table
}

func newSkipFilter(flavor string, st *State) (*SkipFilter, error) {
	f := &SkipFilter{flavor: flavor, encoded: st.encode(), tables: map[string][]filterChunk{}, key: primaryKeys{names: st.Keys}}
	for _, c := range st.Done {
		if _, ok := st.Selects[c.Table]; ok {
			// Read by the user's SELECT, which may leave rows out: the
			// stream writes every change of the table, none is taken as
			// already in the snapshot (a change to a row the SELECT left
			// out would be lost).
			continue
		}
		set, err := gmysql.ParseGTIDSet(flavor, c.GTIDs)
		if err != nil {
			return nil, fmt.Errorf("snapshot chunk of %s has GTID set %q: %w", c.Table, c.GTIDs, err)
		}
		f.tables[c.Table] = append(f.tables[c.Table], filterChunk{lo: c.Lo, hi: c.Hi, set: set, key: c.Key})
		if err := f.extend(set); err != nil {
			return nil, err
		}
	}
	for _, c := range st.Vanished {
		set, err := gmysql.ParseGTIDSet(flavor, c.GTIDs)
		if err != nil {
			return nil, fmt.Errorf("snapshot of %s, which vanished, has GTID set %q: %w", c.Table, c.GTIDs, err)
		}
		if f.vanished == nil {
			f.vanished = map[string]bool{}
		}
		f.vanished[strings.ToLower(c.Table)] = true
		if err := f.extend(set); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// extend makes the filter live until the stream has passed set too.
func (f *SkipFilter) extend(set gmysql.GTIDSet) error {
	if f.all == nil {
		f.all = set.Clone()
		return nil
	}
	return unionInto(f.all, set)
}

// Renamed reports whether db.table, which a DDL the stream writes renamed,
// vanished from the snapshot before it was read whole: the rows the
// snapshot did not read are now the renamed table's, in no topic until
// they change, and the renamed table wants a snapshot of its own. It says
// so once.
func (f *SkipFilter) Renamed(db, table string) bool {
	name := strings.ToLower(db + "." + table)
	if !f.vanished[name] {
		return false
	}
	delete(f.vanished, name)
	return true
}

// unionInto adds b to a.
func unionInto(a, b gmysql.GTIDSet) error {
	switch x := b.(type) {
	case *gmysql.MariadbGTIDSet:
		for _, g := range x.Sets {
			cur, ok := a.(*gmysql.MariadbGTIDSet).Sets[g.DomainID]
			if !ok || cur.SequenceNumber < g.SequenceNumber {
				if err := a.(*gmysql.MariadbGTIDSet).AddSet(g.Clone()); err != nil {
					return err
				}
			}
		}
		return nil
	case *gmysql.MysqlGTIDSet:
		return a.Update(x.String())
	}
	return fmt.Errorf("unknown GTID set type %T", b)
}

// Encoded is the snapshot's progress the offset keeps while the filter
// lives (its sluice_snapshot field).
func (f *SkipFilter) Encoded() string { return f.encoded }

// Passed reports whether the stream's completed set contains every chunk.
func (f *SkipFilter) Passed(gset gmysql.GTIDSet) bool {
	return f.all == nil || (gset != nil && gset.Contain(f.all))
}

// Truncated takes a table whose truncate event the stream writes out of
// the filter, in the offset's copy too. The event follows every snapshot
// row in Kafka, so it empties the table for a consumer, rows of ranges read
// after the TRUNCATE included; the table's later changes are then all
// written, and those rows come back from their own inserts. Filtered, the
// inserts a later range held were dropped, and the truncate left their
// rows lost.
func (f *SkipFilter) Truncated(db, table string) {
	name := ""
	for t := range f.tables {
		if d, tb, _ := strings.Cut(t, "."); strings.EqualFold(d, db) && strings.EqualFold(tb, table) {
			name = t
		}
	}
	if name == "" {
		return
	}
	delete(f.tables, name)
	st, err := DecodeState(f.encoded)
	if err != nil {
		return // f.encoded is this package's own encoding
	}
	st.Done = slices.DeleteFunc(st.Done, func(c Chunk) bool { return c.Table == name })
	f.encoded = st.encode()
}

// Keep decides about one row change of transaction gtid. It returns the
// event to emit (possibly reduced to one half of a key change) and whether
// to emit anything.
func (f *SkipFilter) Keep(gtid string, ev change.Event) (change.Event, bool, error) {
	chunks := f.tables[ev.Table.Database+"."+ev.Table.Name]
	if len(chunks) == 0 || gtid == "" {
		return ev, true, nil
	}
	if gtid != f.lastGTID {
		set, err := gmysql.ParseGTIDSet(f.flavor, gtid)
		if err != nil {
			return ev, false, err
		}
		f.lastGTID, f.lastSet = gtid, set
	}
	contained := func(row []any) bool {
		if row == nil {
			return false
		}
		c := chunkFor(chunks, rangeInt(ev.Table, f.key.of(ev.Table), row, chunks[0].key))
		return c != nil && c.set.Contain(f.lastSet)
	}
	oldIn, newIn := contained(ev.Before), contained(ev.After)
	stale := false
	if oldIn {
		for _, g := range f.guards {
			if g.staleDelete(ev.Table, ev.Before, f.lastSet) {
				stale = true
			}
		}
	}
	switch ev.Op {
	case change.OpCreate:
		return ev, !newIn, nil
	case change.OpDelete:
		return ev, !oldIn || stale, nil
	case change.OpUpdate:
		switch {
		case oldIn && newIn:
			if stale {
				// Only the delete of the old key is news.
				ev.Op, ev.After = change.OpDelete, nil
				return ev, true, nil
			}
			return ev, false, nil
		case !oldIn && !newIn:
			return ev, true, nil
		case oldIn:
			if stale {
				return ev, true, nil
			}
			// The old row is already gone from its chunk; only the new
			// row's arrival is news.
			ev.Op, ev.Before = change.OpCreate, nil
			return ev, true, nil
		default:
			ev.Op, ev.After = change.OpDelete, nil
			return ev, true, nil
		}
	}
	return ev, true, nil
}

// keyInt is a row's key when it is a single integer: a guard keeps such
// keys compactly. It is the converted value (a BIGINT UNSIGNED past
// 2^63-1 negative, as Debezium's long mode writes it), one to one with
// the key, not its place among the ranges (a binary key is not one).
func keyInt(t *change.Table, key []int, row []any) *int64 {
	if len(key) != 1 {
		return nil
	}
	return rangeInt(t, key, row, keyInteger)
}

// primaryKeys finds a table version's primary-key columns: State.Keys's
// names where the message key is other columns, else the message key.
// It remembers the last version asked about: the stream's rows come in
// runs of one table. A column no longer there (a DDL the stream read
// since) gives no key: the row is then in no range, and its change is
// written (again, at worst), never dropped.
type primaryKeys struct {
	names map[string][]string
	last  *change.Table
	idx   []int
}

func (p *primaryKeys) of(t *change.Table) []int {
	if t == p.last {
		return p.idx
	}
	idx := t.Key
	if names, ok := p.names[t.Database+"."+t.Name]; ok {
		idx = make([]int, 0, len(names))
		for _, n := range names {
			i := slices.IndexFunc(t.Columns, func(c change.Column) bool { return strings.EqualFold(c.Name, n) })
			if i < 0 {
				idx = nil
				break
			}
			idx = append(idx, i)
		}
	}
	p.last, p.idx = t, idx
	return idx
}

func chunkFor(chunks []filterChunk, k *int64) *filterChunk {
	for i := range chunks {
		c := &chunks[i]
		if c.lo == nil && c.hi == nil {
			return c
		}
		if k == nil {
			continue
		}
		if (c.lo == nil || *k >= *c.lo) && (c.hi == nil || *k < *c.hi) {
			return c
		}
	}
	return nil
}

func int64Ptr(n int64) *int64 { return &n }

// guard holds the keys a range has now, for State.Guard.
type guard struct {
	chunk Chunk
	key   primaryKeys    // names: State.Keys, set by the guard's maker
	old   gmysql.GTIDSet // the earlier read's position
	// ints holds the keys of a table with a single integer key (most
	// tables read in ranges), 8 bytes each instead of about 43 as strings
	// in a map: a 200,000-row range's keys take 1.6 MB. They are sorted
	// (and repeats dropped) at the first lookup, after the range is read.
	ints   []int64
	sorted bool
	// strs holds any other key, as keyString.
	strs map[string]struct{}
}

func newGuard(flavor string, c Chunk) (*guard, error) {
	set, err := gmysql.ParseGTIDSet(flavor, c.GTIDs)
	if err != nil {
		return nil, fmt.Errorf("snapshot range of %s has GTID set %q: %w", c.Table, c.GTIDs, err)
	}
	return &guard{chunk: c, old: set, strs: map[string]struct{}{}}, nil
}

func (g *guard) covers(t *change.Table, row []any) bool {
	if t.Database+"."+t.Name != g.chunk.Table {
		return false
	}
	if g.chunk.Lo == nil && g.chunk.Hi == nil {
		return true
	}
	k := rangeInt(t, g.key.of(t), row, g.chunk.Key)
	return k != nil && (g.chunk.Lo == nil || *k >= *g.chunk.Lo) && (g.chunk.Hi == nil || *k < *g.chunk.Hi)
}

// collect records the keys of rows read again inside the guarded range.
func (g *guard) collect(st *snapTable, rows [][]any) {
	for _, r := range rows {
		if !g.covers(st.table, r) {
			continue
		}
		key := g.key.of(st.table)
		if k := keyInt(st.table, key, r); k != nil {
			g.ints = append(g.ints, *k)
			g.sorted = false
		} else if k, err := keyStringOf(st.table, key, r); err == nil {
			g.strs[k] = struct{}{}
		}
	}
}

// has reports whether the new read had row's key. A key takes the same
// form (integer or string) whether a snapshot or the binlog read it:
// keyInt and keyString both go through the column's converter. The first
// lookup sorts ints, so only one goroutine may ask: the stream's, through
// SkipFilter.Keep, once the range has been read.
func (g *guard) has(t *change.Table, row []any) (bool, error) {
	key := g.key.of(t)
	if k := keyInt(t, key, row); k != nil {
		if !g.sorted {
			slices.Sort(g.ints)
			g.ints = slices.Compact(g.ints)
			g.sorted = true
		}
		_, found := slices.BinarySearch(g.ints, *k)
		return found, nil
	}
	k, err := keyStringOf(t, key, row)
	if err != nil {
		return false, err
	}
	_, found := g.strs[k]
	return found, nil
}

// staleDelete reports whether a delete of row (a change the snapshot already
// contains) must still be sent: it happened after the earlier read of the
// range, and the new read no longer has the key.
func (g *guard) staleDelete(t *change.Table, row []any, event gmysql.GTIDSet) bool {
	if g == nil || row == nil || !g.covers(t, row) || g.old.Contain(event) {
		return false
	}
	present, err := g.has(t, row)
	return err != nil || !present
}
