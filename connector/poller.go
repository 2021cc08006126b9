package connector

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/header"
	"github.com/sluice-cdc/sluice/offsets"
)

// PollerConfig wires a poller to its queue, converters, producer and offset
// store.
type PollerConfig struct {
	Queue          *Queue
	KeyConverter   converters.Converter
	ValueConverter converters.Converter
	Client         *kgo.Client // idempotent producer, shared by the worker's tasks
	Topics         *TopicCreator
	Store          offsets.Store
	OffsetKey      []byte
	Tombstones     bool
	MaxBatch       int
	PollInterval   time.Duration
	FlushInterval  time.Duration
	Logger         *zap.Logger
}

// Poller takes batches from the queue, builds Debezium records, converts
// and produces them, and commits the source position once Kafka has
// acknowledged every record before it. It runs on one goroutine.
type Poller struct {
	cfg       PollerConfig
	tracker   *offsets.Tracker
	builder   recordBuilder
	log       *zap.Logger
	committed []byte // the last offset value stored
	lastFlush time.Time
	records   []change.Record
	events    []change.Event
}

// NewPoller returns a poller; Run starts it.
func NewPoller(cfg PollerConfig) *Poller {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	return &Poller{cfg: cfg, tracker: offsets.NewTracker(), log: cfg.Logger,
		builder: recordBuilder{tombstones: cfg.Tombstones, now: time.Now}}
}

// Run polls until sourceDone is closed and the queue is empty, then flushes
// the producer and commits the final position. Cancelling ctx is the hard
// stop: Run returns without the final commit. Offsets never move past a
// record Kafka has not acknowledged, whatever happens.
func (p *Poller) Run(ctx context.Context, sourceDone <-chan struct{}) error {
	p.lastFlush = time.Now()
	for {
		var err error
		p.events, err = p.cfg.Queue.Take(ctx, p.events[:0], p.cfg.MaxBatch, p.cfg.PollInterval)
		if err != nil {
			return nil // hard stop
		}
		if len(p.events) == 0 {
			select {
			case <-sourceDone:
				if p.cfg.Queue.Len() == 0 {
					return p.finish(ctx)
				}
			default:
			}
		}
		if err := p.process(ctx, p.events); err != nil {
			return err
		}
		if err := p.tracker.Err(); err != nil {
			return fmt.Errorf("kafka did not accept a record, so the connector stops before its offset: %w", err)
		}
		// Committable also recycles finished transaction slots: call it
		// every batch so memory stays bounded by in-flight transactions.
		pos, ok := p.tracker.Committable()
		if ok && time.Since(p.lastFlush) >= p.cfg.FlushInterval {
			if err := p.commit(ctx, pos); err != nil {
				return err
			}
		}
	}
}

func (p *Poller) process(ctx context.Context, events []change.Event) error {
	for i := range events {
		ev := &events[i]
		txn := p.tracker.Begin()
		if ev.Op == change.OpCommit {
			txn.End(ev.Offset)
			if ev.Flush {
				if err := p.commitNow(ctx); err != nil {
					return err
				}
				if ev.Stored != nil {
					close(ev.Stored)
				}
			}
			continue
		}
		var err error
		if ev.Op == change.OpRecord {
			p.records = append(p.records[:0], *ev.Record)
		} else if p.records, err = p.builder.build(ev, p.records[:0]); err != nil {
			return &DefiniteError{Err: err}
		}
		if err := p.cfg.Topics.Ensure(ctx, p.records[0].Topic); err != nil {
			return err
		}
		txn.Add(len(p.records))
		for j := range p.records {
			kr, err := p.toKafka(&p.records[j])
			if err != nil {
				// Acknowledge the records never produced as failed, so
				// the position cannot pass them.
				for k := j; k < len(p.records); k++ {
					txn.Ack(err)
				}
				return &DefiniteError{Err: err}
			}
			p.cfg.Client.Produce(ctx, kr, txn.Promise())
		}
	}
	return nil
}

func (p *Poller) toKafka(r *change.Record) (*kgo.Record, error) {
	kr := &kgo.Record{Topic: r.Topic}
	var err error
	if r.Key != nil {
		if kr.Key, err = p.cfg.KeyConverter.Convert(r.Topic, r.KeySchema, r.Key); err != nil {
			return nil, fmt.Errorf("converting the key of a record for %s: %w", r.Topic, err)
		}
	}
	if r.Value != nil {
		if kr.Value, err = p.cfg.ValueConverter.Convert(r.Topic, r.ValueSchema, r.Value); err != nil {
			return nil, fmt.Errorf("converting the value of a record for %s: %w", r.Topic, err)
		}
	}
	for _, h := range r.Headers {
		kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: header.String(h.Schema, h.Value)})
	}
	return kr, nil
}

// commitNow waits for every record produced so far and stores the position
// reached, before the poller goes on.
func (p *Poller) commitNow(ctx context.Context) error {
	if err := p.cfg.Client.Flush(ctx); err != nil {
		return err
	}
	if err := p.tracker.Err(); err != nil {
		return fmt.Errorf("kafka did not accept a record, so the connector stops before its offset: %w", err)
	}
	pos, ok := p.tracker.Committable()
	if !ok {
		return nil
	}
	value, err := pos.OffsetValue()
	if err != nil {
		return fmt.Errorf("encoding offset: %w", err)
	}
	if err := p.cfg.Store.Commit(ctx, p.cfg.OffsetKey, value); err != nil {
		return fmt.Errorf("committing offset %s before going on: %w", value, err)
	}
	p.committed, p.lastFlush = value, time.Now()
	return nil
}

// finish flushes the producer and commits the last position.
func (p *Poller) finish(ctx context.Context) error {
	if err := p.cfg.Client.Flush(ctx); err != nil {
		return nil // hard stop while flushing: nothing more may be committed
	}
	if err := p.tracker.Err(); err != nil {
		return fmt.Errorf("kafka did not accept a record, so the connector stops before its offset: %w", err)
	}
	if pos, ok := p.tracker.Committable(); ok {
		return p.commit(ctx, pos)
	}
	return nil
}

func (p *Poller) commit(ctx context.Context, pos offsets.Position) error {
	p.lastFlush = time.Now()
	value, err := pos.OffsetValue()
	if err != nil {
		return fmt.Errorf("encoding offset: %w", err)
	}
	if bytes.Equal(value, p.committed) {
		return nil
	}
	if err := p.cfg.Store.Commit(ctx, p.cfg.OffsetKey, value); err != nil {
		// Not fatal: the next flush retries, and data keeps flowing.
		p.log.Warn("committing offset failed; will retry at the next flush", zap.Error(err))
		return nil
	}
	p.committed = value
	p.log.Debug("offset committed", zap.ByteString("offset", value))
	return nil
}

// DefiniteError stops a task: retrying would fail the same way.
type DefiniteError struct{ Err error }

func (e *DefiniteError) Error() string { return e.Err.Error() }
func (e *DefiniteError) Unwrap() error { return e.Err }

// TopicCreator creates data topics the first time they are written to.
// It is safe for concurrent use.
type TopicCreator struct {
	admin             *kadm.Client
	partitions        int32
	replicationFactor int16
	known             syncSet
	log               *zap.Logger
}

// NewTopicCreator creates missing topics with the given partitions and
// replication factor (-1: the broker's defaults).
func NewTopicCreator(client *kgo.Client, partitions int32, rf int16, log *zap.Logger) *TopicCreator {
	return &TopicCreator{admin: kadm.NewClient(client), partitions: partitions, replicationFactor: rf,
		known: newSyncSet(), log: log}
}

// Ensure makes sure topic exists.
func (t *TopicCreator) Ensure(ctx context.Context, topic string) error {
	if t.known.has(topic) {
		return nil
	}
	resp, err := t.admin.CreateTopic(ctx, t.partitions, t.replicationFactor, nil, topic)
	if err == nil {
		err = resp.Err
	}
	switch {
	case err == nil:
		t.log.Info("created topic", zap.String("topic", topic), zap.Int32("partitions", t.partitions),
			zap.Int16("replication_factor", t.replicationFactor))
	case errors.Is(err, kerr.TopicAlreadyExists):
	default:
		return fmt.Errorf("creating topic %s: %w; create it yourself or give the connector's Kafka user CREATE on the cluster", topic, err)
	}
	t.known.add(topic)
	return nil
}
