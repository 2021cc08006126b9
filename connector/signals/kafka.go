package signals

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/internal/kafkaacl"
)

// signalPartition is the one partition Debezium's KafkaSignalChannel reads.
const signalPartition = int32(0)

// kafkaChannel reads signals from partition 0 of the signal topic, as
// Debezium's KafkaSignalChannel does: a record whose key is not the
// connector's topic.prefix is skipped, and where it resumes is the offset
// committed for the consumer group (the earliest without one). As Debezium
// does, it commits when the stream stops, past the signals the stream
// took: after a crash the signals since the last stop are read and acted
// on again (a snapshot taken twice), none is lost. Committing as soon as
// the stream took one would lose it to a crash before the connector's
// offset held its effect.
type kafkaChannel struct {
	cfg  Config
	in   *Inbox
	opts []kgo.Opt
	log  *zap.Logger
}

func (k *kafkaChannel) run(ctx context.Context) {
	for ctx.Err() == nil {
		err := k.read(ctx)
		if ctx.Err() != nil {
			return
		}
		k.log.Warn("reading the Kafka signal channel failed; retrying in 5 s", zap.Error(err))
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
	}
}

// read consumes the topic until ctx ends or the client fails.
func (k *kafkaChannel) read(ctx context.Context) error {
	cl, err := kgo.NewClient(k.opts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	start, err := k.committed(ctx, adm)
	if err != nil {
		return err
	}
	k.log.Info("reading signals from the Kafka signal channel", zap.String("group", k.cfg.Group), zap.Int64("from_offset", start))
	cl.AddConsumePartitions(map[string]map[int32]kgo.Offset{k.cfg.Topic: {signalPartition: startOffset(start)}})
	committed := start
	defer func() {
		// What the stream took is committed as it stops.
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		k.commit(cctx, adm, &committed)
		cancel()
	}()
	var lastErr string
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		fs := cl.PollFetches(pctx)
		cancel()
		for _, fe := range fs.Errors() {
			if errors.Is(fe.Err, context.DeadlineExceeded) || errors.Is(fe.Err, context.Canceled) {
				continue
			}
			if fe.Err.Error() != lastErr {
				lastErr = fe.Err.Error()
				msg := "the Kafka signal channel cannot be read yet; Sluice keeps trying (does the topic exist?)"
				if kafkaacl.Refused(fe.Err) {
					msg = "the Kafka signal channel cannot be read: the broker's ACLs refuse it; grant the worker's principal " +
						kafkaacl.Topic(k.cfg.Topic, "READ", "DESCRIBE") + "; Sluice keeps trying"
				}
				k.log.Warn(msg, zap.Error(fe.Err))
			}
		}
		fs.EachRecord(k.record)
	}
	return nil
}

// committed is where the group left the partition, or -1 (the earliest).
func (k *kafkaChannel) committed(ctx context.Context, adm *kadm.Client) (int64, error) {
	resp, err := adm.FetchOffsets(ctx, k.cfg.Group)
	if errors.Is(err, kerr.GroupIDNotFound) {
		return -1, nil // a group that never committed
	}
	if err != nil {
		return 0, kafkaacl.Explain(fmt.Errorf("reading consumer group %s's offset: %w", k.cfg.Group, err), "DESCRIBE and READ on group "+k.cfg.Group)
	}
	if o, ok := resp.Lookup(k.cfg.Topic, signalPartition); ok && o.Err == nil && o.At >= 0 {
		return o.At, nil
	}
	return -1, nil
}

func startOffset(at int64) kgo.Offset {
	if at < 0 {
		return kgo.NewOffset().AtStart()
	}
	return kgo.NewOffset().At(at)
}

func (k *kafkaChannel) record(r *kgo.Record) {
	if string(r.Key) != k.cfg.Key {
		k.log.Info("skipping a signal whose key is not the connector's topic.prefix", zap.ByteString("key", r.Key),
			zap.String("topic_prefix", k.cfg.Key), zap.Int64("offset", r.Offset))
		return
	}
	if len(r.Value) == 0 {
		return
	}
	s, err := parse(r.Value)
	if err != nil {
		k.log.Warn("skipping a record of the Kafka signal channel", zap.Int64("offset", r.Offset), zap.ByteString("value", r.Value), zap.Error(err))
		return
	}
	s.Offset = r.Offset
	accept(k.in, s, k.log)
}

// commit stores the offset after the last signal the stream took.
func (k *kafkaChannel) commit(ctx context.Context, adm *kadm.Client, committed *int64) {
	next := k.in.taken.Load() + 1
	if next <= 0 || next <= *committed {
		return
	}
	var o kadm.Offsets
	o.Add(kadm.Offset{Topic: k.cfg.Topic, Partition: signalPartition, At: next, LeaderEpoch: -1})
	resp, err := adm.CommitOffsets(ctx, k.cfg.Group, o)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		k.log.Warn("committing the Kafka signal channel's offset failed; a restart reads the signals after the last commit again",
			zap.String("group", k.cfg.Group), zap.Int64("offset", next), zap.Error(err))
		return
	}
	*committed = next
}
