package vitess

import (
	"context"
	"fmt"
	"slices"
	"strings"

	vtgatepb "vitess.io/vitess/go/vt/proto/vtgate"

	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"

	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// After a reshard the source shards keep serving VStreams (VTGate follows
// their journal to the new shards) until the workflow is completed, which
// deletes them. A VGTID naming a deleted shard then fails at once:
//
//	FailedPrecondition: ... failed to determine if keyspace ks has been
//	resharded: shard provided in VGTID, 0, not found in the ks keyspace
//
// (Vitess v24). Retrying cannot help, and resuming elsewhere would skip the
// changes between the stop and the reshard's end, so this is a definite
// ErrPositionUnavailable: snapshot.mode=when_needed copies the tables
// again, every other mode stops with the message.

// shardGone reports whether err is VTGate refusing a VGTID because it
// names a shard the keyspace no longer has.
func shardGone(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "shard provided in VGTID") && strings.Contains(msg, "not found in the")
}

// resharded turns VTGate's refusal of a VGTID naming deleted shards into a
// definite ErrPositionUnavailable that names the shards stored and now and
// the ways out; any other error is returned as it is.
func (s *Source) resharded(ctx context.Context, pos offsets.Vitess, err error) error {
	if !shardGone(err) {
		return err
	}
	current, lerr := s.c.shards(ctx)
	if lerr != nil {
		current = []string{"? (" + lerr.Error() + ")"}
	}
	return fault.Definite(fmt.Errorf("%w: %s (VTGate: %v)", fault.ErrPositionUnavailable,
		reshardAdvice("the stored VGTID", pos, current, s.cfg.Keyspace), err))
}

// reshardAdvice says which shards a VGTID names that are gone, what the
// keyspace has now, and what to do.
func reshardAdvice(what string, p offsets.Vitess, current []string, keyspace string) string {
	msg, _ := shardsNamed(what, p, current, keyspace)
	return msg + "): the keyspace was resharded while the connector was stopped and the reshard was completed (its old shards deleted), " +
		"so the changes from the stop to the switch can no longer be read. Either copy the tables again " +
		"(set snapshot.mode=when_needed and restart: Sluice copies every captured table from the new shards, " +
		"as initial does; rows deleted in between get no delete record), or start at the current position " +
		"(delete the stored offset or use a new connector name, with snapshot.mode=never and vitess.vgtid=current), " +
		"accepting that the changes in between are not sent"
}

// shardsNamed is "WHAT names shards S of keyspace K, which now has shards
// C (no longer there: G; new: N" (unclosed, for the caller's advice), and
// whether any shard of p is gone.
func shardsNamed(what string, p offsets.Vitess, current []string, keyspace string) (string, bool) {
	var stored, gone, added []string
	for _, sg := range p.Shards {
		stored = append(stored, sg.Shard)
		if !slices.Contains(current, sg.Shard) {
			gone = append(gone, sg.Shard)
		}
	}
	for _, sh := range current {
		if !slices.Contains(stored, sh) {
			added = append(added, sh)
		}
	}
	msg := fmt.Sprintf("%s names shards %s of keyspace %s, which now has shards %s (no longer there: %s",
		what, strings.Join(stored, ","), keyspace, strings.Join(current, ","), strings.Join(gone, ","))
	if len(added) > 0 {
		msg += "; new: " + strings.Join(added, ",")
	}
	return msg, len(gone) > 0
}

// goneShards reports whether VTGate refuses p because it names shards the
// keyspace no longer has. A shard missing from SHOW VITESS_SHARDS may still
// exist (a reshard switched but not completed): VTGate then resumes through
// it, which a short VStream from p shows.
func goneShards(ctx context.Context, c *client, p offsets.Vitess) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	vg := &binlogdatapb.VGtid{}
	for _, sg := range p.Shards {
		g := sg.GTID
		if g == "" {
			g = "current" // a shard that had not started its copy: only its existence matters here
		}
		vg.ShardGtids = append(vg.ShardGtids, &binlogdatapb.ShardGtid{Keyspace: sg.Keyspace, Shard: sg.Shard, Gtid: g})
	}
	st, err := c.api.VStream(c.callCtx(ctx), &vtgatepb.VStreamRequest{
		TabletType: tabletType(c.cfg.TabletType),
		Vgtid:      vg,
		Filter:     &binlogdatapb.Filter{Rules: []*binlogdatapb.Rule{{Match: "/.*"}}},
		Flags:      &vtgatepb.VStreamFlags{HeartbeatInterval: 1},
	})
	if err == nil {
		_, err = st.Recv()
	}
	switch {
	case shardGone(err):
		return true, nil
	case err != nil && ctx.Err() == nil:
		return false, err
	}
	return false, nil
}
