package vitess

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"go.uber.org/zap"

	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/offsets"
)

// handoff is the end of a per-shard reader (vitess.shard lists shards) at a
// reshard: VTGate sends the journal (IncludeReshardJournalEvents) once the
// source shards are stopped, after their last transaction; it names the
// source shards (participants) and the positions of the shards that
// replace them. The reader ends there and the coordinator starts a reader
// per new shard from those positions once every participant's reader has
// ended, so no change of a new shard comes before a change of an old one
// it follows. A reader that also reads shards outside the reshard, or in a
// copy phase, goes on as VTGate leads it (VTGate replaces the shards in
// the same stream when the stream has every participant); with
// vitess.stop_on_reshard=true VTGate ends the stream, as asked.
func (r *reader) handoff(j *binlogdatapb.Journal) *change.Handoff {
	if len(r.cfg.Shards) == 0 || r.cfg.StopOnReshard || r.untilCopied || j == nil || j.MigrationType != binlogdatapb.MigrationType_SHARDS || len(r.pending) > 0 {
		return nil
	}
	var participants []string
	for _, p := range j.Participants {
		participants = append(participants, p.Keyspace+"/"+p.Shard)
	}
	for _, sg := range r.pos.Shards {
		if !slices.Contains(participants, sg.Keyspace+"/"+sg.Shard) {
			return nil
		}
	}
	h := &change.Handoff{Key: fmt.Sprintf("journal %d", j.Id), Participants: len(participants), Covered: len(r.pos.Shards),
		Reason:     fmt.Sprintf("reshard of %s: journal %d", strings.Join(participants, ","), j.Id),
		Unfinished: fmt.Sprintf("Let one task read all of %s (vitess.shard, tasks.max) and start it again", strings.Join(participants, ","))}
	var next []string
	// In key order, as the stored VGTID lists shards.
	gtids := slices.SortedFunc(slices.Values(j.ShardGtids), func(a, b *binlogdatapb.ShardGtid) int { return strings.Compare(a.Shard, b.Shard) })
	for _, sg := range gtids {
		h.Next = append(h.Next, offsets.Vitess{Shards: []offsets.ShardGTID{{Keyspace: sg.Keyspace, Shard: sg.Shard, GTID: sg.Gtid}}})
		next = append(next, sg.Shard)
	}
	r.log.Info("reshard: this shard's reader ends at the journal; the new shards' readers take over",
		zap.Int64("journal", j.Id), zap.Strings("participants", participants), zap.Strings("new_shards", next), zap.String("at", r.posStr))
	return h
}

// replacesListed reports whether shard lies inside the key range of a
// listed shard: a shard that replaced it at a reshard the connector
// followed, whose position the stored offset may hold.
func replacesListed(listed []string, shard string) bool {
	lo, hi, ok := keyRange(shard)
	if !ok {
		return false
	}
	for _, l := range listed {
		llo, lhi, ok := keyRange(l)
		if ok && bytes.Compare(llo, lo) <= 0 && (len(lhi) == 0 || len(hi) > 0 && bytes.Compare(hi, lhi) <= 0) {
			return true
		}
	}
	return false
}

// keyRange parses a shard name: "-80" is [, 0x80), "80-" [0x80, ), and a
// name without "-" ("0") is an unsharded keyspace's shard, the whole range.
func keyRange(shard string) (lo, hi []byte, ok bool) {
	a, b, ranged := strings.Cut(shard, "-")
	if !ranged {
		return nil, nil, true
	}
	lo, err1 := hex.DecodeString(a)
	hi, err2 := hex.DecodeString(b)
	return lo, hi, err1 == nil && err2 == nil
}
