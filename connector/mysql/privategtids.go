package mysql

import (
	"context"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/offsets"
)

// privateGTIDs marks every position a reader hands on as keeping its GTIDs
// under Sluice's own offset key (offsets.MySQL.PrivateGTIDs): for the MySQL
// connector class on MariaDB, whose Debezium implementation stores none
// there and refuses an offset carrying a MariaDB GTID set. Marking them
// here, where every snapshot and binlog position leaves the source, keeps
// the binlog and snapshot readers free of the distinction.
type privateGTIDs struct {
	change.Enqueuer
}

func (p privateGTIDs) Enqueue(ctx context.Context, events ...change.Event) error {
	for i := range events {
		events[i].Position = markPrivate(events[i].Position)
	}
	return p.Enqueuer.Enqueue(ctx, events...)
}

func (p privateGTIDs) Checkpoint(ctx context.Context, pos change.Position) error {
	return p.Enqueuer.Checkpoint(ctx, markPrivate(pos))
}

func markPrivate(pos change.Position) change.Position {
	if p, ok := pos.(offsets.MySQL); ok {
		p.PrivateGTIDs = true
		return p
	}
	return pos
}

// out is where the source's readers enqueue: out itself, or out marking
// private GTIDs when the connector class and server call for it.
func (m *Source) out(out change.Enqueuer) change.Enqueuer {
	if m.srv.PrivateGTIDs() {
		return privateGTIDs{out}
	}
	return out
}
