package vitess

import (
	"context"
	"fmt"
	"slices"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/offsets"
)

// shardTables is, per stored shard, the tables its copy still needs (nil
// for a shard whose copy is over), and whether they differ between the
// shards that are copying. VStream's TablesToCopy holds for every shard of
// a request, and a shard resumed with a table it had finished copies that
// table again from scratch at a new snapshot: rows deleted in between
// would stay in Kafka (VTGate's catch-up sends no change of a table it is
// about to copy). When the shards are at different tables, each is then
// resumed alone with its own list.
func (s *Source) shardTables(pos offsets.Vitess) ([][]string, bool) {
	lists := make([][]string, len(pos.Shards))
	var first []string
	seen, split := false, false
	for i, sg := range pos.Shards {
		if sg.GTID != "" && len(sg.TablePKs) == 0 {
			continue
		}
		lists[i] = s.resumeTables(offsets.Vitess{Shards: []offsets.ShardGTID{sg}})
		if lists[i] == nil {
			lists[i] = []string{} // every table, not "done"
		}
		if seen && !slices.Equal(first, lists[i]) {
			split = true
		}
		first, seen = lists[i], true
	}
	return lists, split
}

// resumeByShard resumes the copy one shard at a time, each with its own
// tables, while every stored position keeps the other shards' entries.
// A shard whose copy is over only has its stored guards replayed.
func (s *Source) resumeByShard(ctx context.Context, pos offsets.Vitess, lists [][]string, out change.Enqueuer) (change.Position, error) {
	for i := range pos.Shards {
		sg := pos.Shards[i]
		own, rest := splitGuards(pos.Guards, sg.Shard)
		if lists[i] == nil {
			for _, g := range own {
				// Nothing is copied again here: the stream that follows
				// starts before the replay's end and sends the rest in order.
				if err := s.replayGuard(ctx, g, "", out); err != nil || ctx.Err() != nil {
					return nil, err
				}
			}
			pos.Guards = rest
			continue
		}
		s.cfg.Logger.Info("resuming VTGate's copy phase for one shard (the shards stopped at different tables)",
			zap.String("shard", sg.Shard), zap.String("vgtid", offsets.Vitess{Shards: []offsets.ShardGTID{sg}}.String()), zap.Strings("tables_to_copy", lists[i]))
		me := offsets.Vitess{Shards: []offsets.ShardGTID{sg}}
		whole := offsets.Vitess{Shards: pos.Shards, Guards: rest}
		r := newReader(&s.cfg, s.build, out, me)
		r.untilCopied, r.writeAhead, r.others = true, true, &whole
		r.committed, r.start, r.guards = offsets.Vitess{Shards: slices.Clone(pos.Shards)}, offsets.Vitess{Shards: slices.Clone(pos.Shards)}, own
		r.runGuard = func(ctx context.Context, g offsets.CopyGuard, until string) error {
			return s.replayGuard(ctx, g, until, out)
		}
		if err := r.run(ctx, s.c, s.filter, lists[i]); err != nil || ctx.Err() != nil {
			return nil, err
		}
		if !r.copied || len(r.pos.Shards) != 1 {
			return nil, fmt.Errorf("the VStream of shard %s ended before VTGate's copy phase completed", sg.Shard)
		}
		pos.Shards = slices.Clone(pos.Shards)
		pos.Shards[i] = r.pos.Shards[0]
		pos.Guards = slices.Concat(rest, r.guards)
	}
	return pos, nil
}

func splitGuards(gs []offsets.CopyGuard, shard string) (own, rest []offsets.CopyGuard) {
	for _, g := range gs {
		if g.Shard.Shard == shard {
			own = append(own, g)
		} else {
			rest = append(rest, g)
		}
	}
	return own, rest
}
