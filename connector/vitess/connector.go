package vitess

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"

	"go.uber.org/zap"
	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Source is the Vitess connector behind Debezium's VitessConnector class.
// The coordinator calls Start, Snapshot and Stream from one goroutine,
// except that with several shards Stream runs once per shard at the same
// time (Split): what they share (the gRPC connection, the filter) is set
// up in Start and only read afterwards.
type Source struct {
	cfg   Config
	build mysqltypes.TableBuilder
	mu    sync.Mutex // guards c while Start and Close race with nothing else
	c     *client
	// shards is vitess.shard, or the keyspace's shards as VTGate lists
	// them (for the copy phase, which needs every shard named).
	shards []string
	filter *binlogdatapb.Filter
	tables []string // the captured tables, sorted (for resuming a copy)
}

// New builds the source of a connector file; it connects to nothing.
func New(c *config.Connector, log *zap.Logger) (*Source, error) {
	cfg, err := ParseConfig(c)
	if err != nil {
		return nil, err
	}
	cfg.Logger = log
	return &Source{cfg: cfg, build: mysqltypes.TableBuilder{Prefix: cfg.TopicPrefix, Naming: c.TopicNaming, Source: sourceSchema, Types: cfg.Types, Log: log}}, nil
}

// ParseOffset decodes a stored offset {"vgtid":"..."}, Debezium's or
// Sluice's, and checks it names the configured keyspace and shards.
func (s *Source) ParseOffset(stored []byte) (change.Position, error) {
	if stored == nil {
		return nil, nil
	}
	p, err := offsets.ParseVitess(stored)
	if err != nil {
		return nil, err
	}
	for _, sg := range p.Shards {
		if sg.Keyspace != s.cfg.Keyspace {
			return nil, fmt.Errorf("the stored VGTID is for keyspace %q, vitess.keyspace is %q", sg.Keyspace, s.cfg.Keyspace)
		}
		if len(s.cfg.Shards) > 0 && !contains(s.cfg.Shards, sg.Shard) && !replacesListed(s.cfg.Shards, sg.Shard) {
			return nil, fmt.Errorf("the stored VGTID names shard %q, which vitess.shard %v leaves out (a reshard, or another connector's offset?)", sg.Shard, s.cfg.Shards)
		}
	}
	for _, g := range p.Guards {
		// A guard is replayed against its shard: one the VGTID does not
		// name could not have been copying.
		if !slices.ContainsFunc(p.Shards, func(sg offsets.ShardGTID) bool { return sg.Keyspace == g.Shard.Keyspace && sg.Shard == g.Shard.Shard }) {
			return nil, fmt.Errorf("the stored offset's copy guard names shard %s/%s, which its VGTID does not", g.Shard.Keyspace, g.Shard.Shard)
		}
	}
	return p, nil
}

// Start connects to VTGate (once) and learns the shards and the captured
// tables.
func (s *Source) Start(ctx context.Context, from change.Position) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == nil {
		c, err := dial(&s.cfg)
		if err != nil {
			return err
		}
		s.c = c
	}
	s.shards = s.cfg.Shards
	if len(s.shards) == 0 {
		sh, err := s.c.shards(ctx)
		if err != nil {
			return err
		}
		s.shards = sh
	}
	all, err := s.c.tables(ctx)
	if err != nil {
		return err
	}
	s.tables = s.tables[:0]
	for _, t := range all {
		if s.cfg.Filter.TableIncluded(s.cfg.Keyspace, t) {
			s.tables = append(s.tables, t)
		}
	}
	sort.Strings(s.tables)
	s.filter = s.buildFilter()
	return nil
}

// buildFilter: every table (so tables created later are captured) unless
// table.include.list or table.exclude.list narrow it; then one rule per
// captured table, with the query VStream needs for a named rule.
func (s *Source) buildFilter() *binlogdatapb.Filter {
	c := s.cfg.Filter
	if len(c.TableIncludeList) == 0 && len(c.TableExcludeList) == 0 {
		return &binlogdatapb.Filter{Rules: []*binlogdatapb.Rule{{Match: "/.*"}}}
	}
	f := &binlogdatapb.Filter{}
	for _, t := range s.tables {
		f.Rules = append(f.Rules, &binlogdatapb.Rule{Match: t, Filter: "select * from " + quoteIdent(t)})
	}
	return f
}

func quoteIdent(s string) string {
	out := []byte{'`'}
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			out = append(out, '`')
		}
		out = append(out, s[i])
	}
	return string(append(out, '`'))
}

// Snapshot runs VTGate's copy phase: from an empty GTID on every shard, or
// from the stored cursor, until VTGate reports the copy complete. Each
// copied batch ends with a commit at its VGTID (with table_p_ks), so a
// crash resumes the copy where the acknowledged records end.
func (s *Source) Snapshot(ctx context.Context, from change.Position, data bool, out change.Enqueuer) (change.Position, error) {
	if !data {
		return nil, fault.Definite(fmt.Errorf("snapshot.mode %q: Sluice's Vitess source has initial, never and when_needed", s.cfg.SnapshotMode))
	}
	var pos offsets.Vitess
	var toCopy []string
	if from != nil {
		pos = from.(offsets.Vitess)
		if lists, split := s.shardTables(pos); split {
			return s.resumeByShard(ctx, pos, lists, out)
		}
		toCopy = s.resumeTables(pos)
		s.cfg.Logger.Info("resuming VTGate's copy phase", zap.String("vgtid", pos.String()), zap.Strings("tables_to_copy", toCopy))
	} else {
		toCopy = s.snapshotTables()
		if len(s.tables) == 0 && len(toCopy) == 0 {
			// VTGate refuses a copy with nothing to copy ("stream needs a
			// position or a table to copy"): an empty keyspace, say the
			// target of a MoveTables not yet created. Its copy is empty,
			// so streaming from the current position is the same, and
			// tables created later come with their DDL and rows.
			for _, sh := range s.shards {
				pos.Shards = append(pos.Shards, offsets.ShardGTID{Keyspace: s.cfg.Keyspace, Shard: sh, GTID: "current"})
			}
			s.cfg.Logger.Info("no table to copy; streaming from the current position", zap.Strings("shards", s.shards))
			return pos, nil
		}
		for _, sh := range s.shards {
			pos.Shards = append(pos.Shards, offsets.ShardGTID{Keyspace: s.cfg.Keyspace, Shard: sh})
		}
		s.cfg.Logger.Info("starting VTGate's copy phase", zap.Strings("shards", s.shards))
	}
	r := newReader(&s.cfg, s.build, out, offsets.Vitess{Shards: pos.Shards})
	r.resharded = s.resharded
	r.untilCopied = true
	r.writeAhead = true
	r.committed, r.start, r.guards = offsets.Vitess{Shards: pos.Shards}, offsets.Vitess{Shards: pos.Shards}, pos.Guards
	r.runGuard = func(ctx context.Context, g offsets.CopyGuard, until string) error {
		return s.replayGuard(ctx, g, until, out)
	}
	if err := r.run(ctx, s.c, s.filter, toCopy); err != nil || ctx.Err() != nil {
		return nil, err
	}
	if !r.copied {
		return nil, fmt.Errorf("the VStream ended before VTGate's copy phase completed")
	}
	return r.pos, nil
}

// replayGuard streams the guard's shard from the guard's snapshot, with
// the guard's cursor, so that VTGate's catch-up sends the changes of the
// guard's table, until the stream passes until (no limit when "") or
// VTGate starts copying past the cursor.
func (s *Source) replayGuard(ctx context.Context, g offsets.CopyGuard, until string, out change.Enqueuer) error {
	r := newReader(&s.cfg, s.build, out, offsets.Vitess{Shards: []offsets.ShardGTID{g.Shard}})
	r.guard, r.guardUntil = &g, until
	if err := r.run(ctx, s.c, s.filter, []string{g.Table}); err != nil || ctx.Err() != nil {
		return err
	}
	if !r.done {
		return fmt.Errorf("the VStream replaying shard %s of %s from %s ended early", g.Shard.Shard, g.Table, g.Shard.GTID)
	}
	return nil
}

// snapshotTables is snapshot.include.collection.list as VStream's
// TablesToCopy (table names; "keyspace.table" entries lose the keyspace).
func (s *Source) snapshotTables() []string {
	var out []string
	for _, t := range s.cfg.SnapshotTables {
		if ks, tbl, ok := cut(t, '.'); ok && ks == s.cfg.Keyspace {
			t = tbl
		}
		out = append(out, t)
	}
	return out
}

// resumeTables: VTGate resumes the tables named in a cursor and copies
// every other captured table from the start, including tables whose copy
// finished before the crash, which would put rows deleted since back in
// Kafka. Tables are copied in name order, so when every copying shard has a
// cursor, the tables still to copy are those from the smallest cursor's
// table on; with a shard not started (empty GTID, no cursor) VTGate must
// copy everything for it, and nothing is narrowed.
func (s *Source) resumeTables(pos offsets.Vitess) []string {
	low := ""
	for _, sg := range pos.Shards {
		if sg.GTID == "" && len(sg.TablePKs) == 0 {
			return s.snapshotTables()
		}
		for _, t := range sg.TablePKs {
			if low == "" || t.TableName < low {
				low = t.TableName
			}
		}
	}
	if low == "" {
		return s.snapshotTables()
	}
	want := s.snapshotTables()
	var out []string
	for _, t := range s.tables {
		if t >= low && (len(want) == 0 || slices.Contains(want, t)) {
			out = append(out, t)
		}
	}
	return out
}

// Observe has o told when a reader's VStream answers and when it ends.
func (s *Source) Observe(o change.Observer) { s.cfg.Observer = o }

// Stream reads changes from `from` until ctx ends or the stream fails.
// from nil (snapshot.mode=never, nothing stored) starts at vitess.vgtid:
// "current" on every shard, or the configured VGTID.
func (s *Source) Stream(ctx context.Context, from change.Position, out change.Enqueuer) error {
	var pos offsets.Vitess
	switch {
	case from != nil:
		pos = from.(offsets.Vitess)
	case s.cfg.StartVGTID != nil:
		pos = *s.cfg.StartVGTID
	case len(s.cfg.Shards) == 0:
		// VTGate follows the keyspace's shards, through reshards too.
		pos.Shards = []offsets.ShardGTID{{Keyspace: s.cfg.Keyspace, GTID: "current"}}
	default:
		for _, sh := range s.cfg.Shards {
			pos.Shards = append(pos.Shards, offsets.ShardGTID{Keyspace: s.cfg.Keyspace, Shard: sh, GTID: "current"})
		}
	}
	r := newReader(&s.cfg, s.build, out, pos)
	r.resharded = s.resharded
	return r.run(ctx, s.c, s.filter, nil)
}

// Split gives one part per shard when vitess.shard lists shards: each
// shard is read by its own stream, retried alone, and ended at a reshard's
// journal, when the shards that replace it get readers of their own.
func (s *Source) Split(pos change.Position) ([]change.Position, error) {
	p := pos.(offsets.Vitess)
	if len(s.cfg.Shards) == 0 || len(p.Shards) < 2 {
		return []change.Position{p}, nil
	}
	parts := make([]change.Position, len(p.Shards))
	for i, sg := range p.Shards {
		parts[i] = offsets.Vitess{Shards: []offsets.ShardGTID{sg}}
	}
	return parts, nil
}

// Combine joins the shards' positions, in the readers' order, into the
// task's VGTID.
func (s *Source) Combine(parts []change.Position) (change.Position, error) {
	var p offsets.Vitess
	for _, part := range parts {
		v, ok := part.(offsets.Vitess)
		if !ok {
			return nil, fmt.Errorf("combining shard positions: %T is not a VGTID", part)
		}
		p.Shards = append(p.Shards, v.Shards...)
		// The copy's guards (one reader then) must survive into the
		// stored offset.
		p.Guards = append(p.Guards, v.Guards...)
	}
	return p, nil
}

// Close closes the gRPC connection.
func (s *Source) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == nil {
		return nil
	}
	err := s.c.conn.Close()
	s.c = nil
	return err
}

func cut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
