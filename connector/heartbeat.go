package connector

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Debezium's heartbeat schemas (SchemaFactory), version 1 each.
var (
	heartbeatKeySchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.common.ServerNameKey", Version: 1,
		Fields: []change.Field{{Name: "serverName", Schema: &change.Schema{Type: change.String}}}}
	heartbeatValueSchema = &change.Schema{Type: change.Struct, Name: "io.debezium.connector.common.Heartbeat", Version: 1,
		Fields: []change.Field{{Name: "ts_ms", Schema: &change.Schema{Type: change.Int64}}}}
)

// heartbeat is Debezium's heartbeat.interval.ms: a record on the heartbeat
// topic at most once per interval while source events flow, as Debezium's
// binlog reader checks after every event (a server's keepalive heartbeat
// counts: sources enqueue a commit at their unchanged position for it). It
// is produced with the event's other records, before the transaction end
// that follows it, so the position it stands for is stored only once it
// and everything before it are in Kafka: the offset still never passes an
// undelivered record. Nothing is written while nothing flows, as in
// Debezium. Poller goroutine only.
type heartbeat struct {
	topic  string
	key    *change.Value
	every  time.Duration
	next   time.Time
	now    func() time.Time
	record []change.Record
}

func newHeartbeat(topic, serverName string, every time.Duration, now func() time.Time) *heartbeat {
	return &heartbeat{topic: topic, every: every, now: now, next: now().Add(every),
		key: &change.Value{Schema: heartbeatKeySchema, Values: []any{serverName}}}
}

// due returns the heartbeat record when the interval has passed since the
// last one (or the start), else nothing.
func (h *heartbeat) due() []change.Record {
	if h == nil {
		return nil
	}
	now := h.now()
	if now.Before(h.next) {
		return nil
	}
	h.next = now.Add(h.every)
	// Debezium writes heartbeats to partition 0, whatever their key.
	h.record = append(h.record[:0], change.Record{Topic: h.topic, KeySchema: heartbeatKeySchema, Key: h.key,
		ValueSchema: heartbeatValueSchema, Value: &change.Value{Schema: heartbeatValueSchema, Values: []any{now.UnixMilli()}},
		FixedPartition: true, Partition: 0})
	return h.record
}

// extras produces the records an entry adds beside its data: transaction
// metadata (BEGIN for a KindBegin, END for a commit that ends a
// transaction) and, after them, a heartbeat when one is due. Snapshot
// rows bring no heartbeat: Debezium's snapshot does not beat. Debezium
// gives these records none of the task's __debezium.context headers (the
// side-by-side test compares them).
func (p *Poller) extras(ctx context.Context, txn *offsets.Txn, e *change.Event) error {
	p.extra = p.extra[:0]
	var txFields []byte // the offset fields of the transaction ended here
	if p.meta != nil {
		switch {
		case e.Kind == change.KindBegin:
			p.extra = append(p.extra, p.meta.begin(e.TxID, e.TsMs))
		case e.Kind == change.KindCommit && e.TxEnd:
			if p.meta.id != "" {
				txFields = p.meta.offsetFields()
			}
			p.extra = p.meta.end(e.TsMs, p.extra)
		}
	}
	if e.Kind != change.KindRow || e.Op != change.OpRead {
		if beat := p.beat.due(); len(beat) > 0 {
			p.extra = append(p.extra, beat...)
			txFields = nil // the heartbeat's offset, after the END, has none
			if err := p.heartbeatAction(ctx); err != nil {
				return err
			}
		}
	}
	if p.meta != nil && e.Kind == change.KindCommit && e.Position != nil {
		if err := p.noteTxEnd(e.Position, txFields); err != nil {
			return err
		}
	}
	if len(p.extra) == 0 {
		return nil
	}
	return p.send(ctx, txn, p.extra)
}

// noteTxEnd remembers the offset a commit at pos stores: with the ended
// transaction's fields, or (fields nil) without any.
func (p *Poller) noteTxEnd(pos change.Position, fields []byte) error {
	if fields == nil {
		p.txEnd = txEndOffset{}
		return nil
	}
	at, err := pos.OffsetValue()
	if err != nil {
		return fault.Definite(fmt.Errorf("encoding offset: %w", err))
	}
	p.txEnd = txEndOffset{at: at, fields: fields}
	return nil
}

// heartbeatAction runs heartbeat.action.query, as Debezium does with each
// heartbeat: a definite failure (the server refused the statement) stops
// the task; any other is logged, and the next heartbeat runs it again.
func (p *Poller) heartbeatAction(ctx context.Context) error {
	if p.cfg.HeartbeatAction == nil {
		return nil
	}
	err := p.cfg.HeartbeatAction(ctx)
	if err == nil || ctx.Err() != nil {
		return nil
	}
	if fault.IsDefinite(err) {
		return err
	}
	p.log.Warn("heartbeat.action.query failed; the next heartbeat runs it again", zap.Error(err))
	return nil
}
