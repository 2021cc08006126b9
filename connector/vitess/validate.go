package vitess

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"
	vtgatepb "vitess.io/vitess/go/vt/proto/vtgate"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// probeTimeout bounds the short VStream that shows a shard serves: VTGate
// sends a heartbeat within a second of the stream starting.
const probeTimeout = 10 * time.Second

// Validate checks, through VTGate, what a start would need: the keyspace
// exists, each shard to read has a serving tablet of vitess.tablet.type
// and answers a VStream, and vitess.vgtid names the keyspace's current
// shards. The error is for a VTGate that cannot be asked at all.
func (s *Source) Validate(ctx context.Context) ([]config.Problem, error) {
	c, err := dial(&s.cfg)
	if err != nil {
		return nil, err
	}
	defer c.conn.Close()
	probs, shards, err := s.checkKeyspace(ctx, c)
	if err != nil && !fault.IsDefinite(err) { // definite ones (a refused login) name their settings
		return nil, fmt.Errorf("%w; check database.hostname and database.port (VTGate's gRPC port) and that VTGate runs", err)
	}
	if err != nil {
		return nil, err
	}
	if len(shards) == 0 {
		return probs, nil
	}
	read := shards
	if len(s.cfg.Shards) > 0 {
		read = s.cfg.Shards
	}
	tp, err := s.checkTablets(ctx, c, read)
	if err != nil {
		return nil, err
	}
	probs = append(probs, tp...)
	for _, sh := range read {
		if !slices.Contains(shards, sh) {
			continue
		}
		if err := probeShard(ctx, c, sh); err != nil {
			probs = append(probs, config.Problem{Setting: propTabletType, Msg: fmt.Sprintf(
				"a VStream of shard %s/%s from %s tablets did not start: %v; check that the shard's %s tablets serve (vtctldclient GetTablets --keyspace %s) or choose another vitess.tablet.type",
				s.cfg.Keyspace, sh, s.cfg.TabletType, err, s.cfg.TabletType, s.cfg.Keyspace)})
		}
	}
	if p := s.cfg.StartVGTID; p != nil {
		probs = append(probs, compareShards(*p, shards, s.cfg.Keyspace, "property \"vitess.vgtid\"", propVGTID)...)
	}
	return probs, nil
}

// ValidateOffset checks a stored offset against the keyspace's shards:
// after a reshard completed while the connector was stopped, VTGate cannot
// resume from the deleted shards (a start stops with the same message).
func (s *Source) ValidateOffset(ctx context.Context, stored []byte) ([]config.Problem, error) {
	if stored == nil {
		return nil, nil
	}
	pos, err := s.ParseOffset(stored)
	if err != nil {
		// What a start would refuse: another connector's offset, or the
		// keyspace or vitess.shard changed.
		return []config.Problem{{Setting: "offset", Msg: fmt.Sprintf("the offset stored for connector %q (topic.prefix %q) does not fit this connector: %v; use a new connector name, or delete the stored offset to copy the tables again",
			s.cfg.Name, s.cfg.TopicPrefix, err)}}, nil
	}
	p := pos.(offsets.Vitess)
	c, err := dial(&s.cfg)
	if err != nil {
		return nil, err
	}
	defer c.conn.Close()
	shards, err := c.shards(ctx)
	if err != nil {
		if fault.IsDefinite(err) {
			return nil, nil // Validate reports the keyspace
		}
		return nil, err
	}
	if len(compareShards(p, shards, s.cfg.Keyspace, "", "")) == 0 {
		return nil, nil
	}
	// Shards VTGate no longer serves: still there (a reshard not completed,
	// VTGate resumes through them and follows the journal) or deleted.
	gone, err := goneShards(ctx, c, p)
	if err != nil {
		return []config.Problem{{Setting: "offset", Msg: fmt.Sprintf("the offset stored in the offsets topic names shards that keyspace %s no longer serves (it serves %s), and a VStream from that offset failed: %v",
			s.cfg.Keyspace, strings.Join(shards, ","), err)}}, nil
	}
	if !gone {
		return nil, nil
	}
	return []config.Problem{{Setting: "offset", Msg: reshardAdvice("the offset stored in the offsets topic", p, shards, s.cfg.Keyspace)}}, nil
}

// compareShards says which shards a VGTID names that the keyspace no
// longer has, and which current shards it leaves out, with what to do.
func compareShards(p offsets.Vitess, current []string, keyspace, what, setting string) []config.Problem {
	if slices.ContainsFunc(p.Shards, func(sg offsets.ShardGTID) bool { return sg.Shard == "" }) {
		return nil // "current" for the whole keyspace: VTGate picks the shards
	}
	msg, gone := shardsNamed(what, p, current, keyspace)
	if !gone {
		return nil // a subset is a per-shard connector (vitess.shard)
	}
	msg += "; a reshard happened while the connector was stopped)"
	msg += "; VTGate cannot resume from shards that no longer serve. Either delete the stored offset (and vitess.vgtid) to copy the tables again with snapshot.mode=initial, " +
		"or set snapshot.mode=never with vitess.vgtid=current (or a VGTID of the new shards) and accept that changes between the stop and the restart are not sent"
	return []config.Problem{{Setting: setting, Msg: msg}}
}

// checkKeyspace lists the keyspace's shards, or says the keyspace is not
// one VTGate serves, naming those it does, and which vitess.shard entries
// are not the keyspace's.
func (s *Source) checkKeyspace(ctx context.Context, c *client) ([]config.Problem, []string, error) {
	r, err := c.query(ctx, "SHOW VITESS_KEYSPACES")
	if err != nil {
		return nil, nil, err
	}
	var keyspaces []string
	for _, row := range r.Rows {
		if vals := splitRow(row); len(vals) > 0 {
			keyspaces = append(keyspaces, vals[0])
		}
	}
	if !slices.Contains(keyspaces, s.cfg.Keyspace) {
		return []config.Problem{{Setting: propKeyspace, Msg: fmt.Sprintf("VTGate %s serves no keyspace %q; it serves %s: set vitess.keyspace to one of them",
			s.cfg.Addr, s.cfg.Keyspace, strings.Join(keyspaces, ", "))}}, nil, nil
	}
	shards, err := c.shards(ctx)
	if err != nil {
		if fault.IsDefinite(err) {
			return []config.Problem{{Setting: propKeyspace, Msg: err.Error()}}, nil, nil
		}
		return nil, nil, err
	}
	var probs []config.Problem
	for _, sh := range s.cfg.Shards {
		if !slices.Contains(shards, sh) {
			probs = append(probs, config.Problem{Setting: propShard, Msg: fmt.Sprintf("shard %q is not a shard of keyspace %s (it has %s): list shards of the keyspace, or leave vitess.shard unset to read them all",
				sh, s.cfg.Keyspace, strings.Join(shards, ","))})
		}
	}
	return probs, shards, nil
}

// checkTablets: each shard read needs a SERVING tablet of the tablet type
// (SHOW VITESS_TABLETS: cell, keyspace, shard, type, state, ...).
func (s *Source) checkTablets(ctx context.Context, c *client, read []string) ([]config.Problem, error) {
	r, err := c.query(ctx, "SHOW VITESS_TABLETS")
	if err != nil {
		return nil, err
	}
	serving := map[string][]string{} // shard -> types with a serving tablet
	for _, row := range r.Rows {
		v := splitRow(row)
		if len(v) < 5 || v[1] != s.cfg.Keyspace || v[4] != "SERVING" {
			continue
		}
		serving[v[2]] = append(serving[v[2]], v[3])
	}
	var probs []config.Problem
	for _, sh := range read {
		types, ok := serving[sh]
		if !ok {
			continue // not the keyspace's shard (reported) or VTGate lists no tablets of it: the probe tells
		}
		if !slices.Contains(types, s.cfg.TabletType) {
			slices.Sort(types)
			probs = append(probs, config.Problem{Setting: propTabletType, Msg: fmt.Sprintf("shard %s/%s has no serving %s tablet (serving: %s): set vitess.tablet.type to one of those",
				s.cfg.Keyspace, sh, s.cfg.TabletType, strings.Join(slices.Compact(types), ", "))})
		}
	}
	return probs, nil
}

// probeShard starts a VStream of one shard at its current position and
// waits for VTGate's first answer (a heartbeat at the latest).
func probeShard(ctx context.Context, c *client, shard string) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	st, err := c.api.VStream(c.callCtx(ctx), &vtgatepb.VStreamRequest{
		TabletType: tabletType(c.cfg.TabletType),
		Vgtid:      &binlogdatapb.VGtid{ShardGtids: []*binlogdatapb.ShardGtid{{Keyspace: c.cfg.Keyspace, Shard: shard, Gtid: "current"}}},
		Filter:     &binlogdatapb.Filter{Rules: []*binlogdatapb.Rule{{Match: "/.*"}}},
		Flags:      &vtgatepb.VStreamFlags{HeartbeatInterval: 1},
	})
	if err != nil {
		return err
	}
	if _, err := st.Recv(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("no event within %s", probeTimeout)
		}
		return err
	}
	return nil
}
