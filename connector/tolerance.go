package connector

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/header"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
	"github.com/sluice-cdc/sluice/smt"
)

// ErrorHandling is a connector's errors.* settings, as Kafka Connect's
// RetryWithToleranceOperator and its reporters apply them: what happens to
// a record that a transform or a converter fails on. The zero value is
// Connect's default: the task stops before the record's offset.
type ErrorHandling struct {
	// TolerateAll is errors.tolerance=all: the record is skipped (and
	// counted, logged or sent to the dead letter queue) and the task goes
	// on.
	TolerateAll bool
	// Log is errors.log.enable; LogMessages (errors.log.include.messages)
	// adds the record's topic, key and value, which may hold personal data.
	Log, LogMessages bool
	// DLQTopic is errors.deadletterqueue.topic.name: a skipped record goes
	// there as the converters write the record the source built, before
	// any transform. Only with TolerateAll.
	DLQTopic          string
	DLQReplication    int16 // errors.deadletterqueue.topic.replication.factor
	DLQContextHeaders bool  // errors.deadletterqueue.context.headers.enable
	// Connector names the task in logs and __connect.errors.* headers.
	Connector string
}

func (e ErrorHandling) active() bool { return e.TolerateAll || e.Log }

// ParseErrorHandling reads a connector's errors.* properties.
func ParseErrorHandling(name string, props map[string]string) (ErrorHandling, error) {
	e := ErrorHandling{Connector: name, DLQReplication: 3}
	bad := func(prop, v, why string) error {
		return fmt.Errorf("Invalid value %s for configuration %s: %s", v, prop, why)
	}
	switch v := strings.TrimSpace(props["errors.tolerance"]); strings.ToLower(v) {
	case "", "none":
	case "all":
		e.TolerateAll = true
	default:
		return e, bad("errors.tolerance", v, "String must be one of: none, all")
	}
	for prop, dst := range map[string]*bool{"errors.log.enable": &e.Log, "errors.log.include.messages": &e.LogMessages,
		"errors.deadletterqueue.context.headers.enable": &e.DLQContextHeaders} {
		switch v := strings.TrimSpace(props[prop]); strings.ToLower(v) {
		case "", "false":
		case "true":
			*dst = true
		default:
			return e, bad(prop, v, "Expected value to be either true or false")
		}
	}
	e.DLQTopic = strings.TrimSpace(props["errors.deadletterqueue.topic.name"])
	if v := strings.TrimSpace(props["errors.deadletterqueue.topic.replication.factor"]); v != "" {
		n, err := strconv.ParseInt(v, 10, 16)
		if err != nil || (n < 1 && n != -1) {
			return e, bad("errors.deadletterqueue.topic.replication.factor", v, "expected a replication factor: 1 or more, or -1 for the broker's default")
		}
		e.DLQReplication = int16(n)
	}
	if e.DLQTopic != "" && !e.TolerateAll {
		return e, bad("errors.deadletterqueue.topic.name", e.DLQTopic, "a dead letter queue only receives the records errors.tolerance=all skips; set errors.tolerance=all, or remove it")
	}
	return e, nil
}

// Kafka Connect's stages, as __connect.errors.stage names them.
const (
	stageTransformation = "TRANSFORMATION"
	stageKeyConverter   = "KEY_CONVERTER"
	stageValueConverter = "VALUE_CONVERTER"
)

// stageError is a converter's definite failure on a record, with the stage
// and the converter class, for the error handler.
type stageError struct {
	stage, class string
	err          error
}

func (e *stageError) Error() string { return e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

// transform runs the chain over a source event's records. With error
// handling active it runs record by record, keeping each record as the
// source built it for the dead letter queue (p.originals, aligned with the
// records returned).
func (p *Poller) transform(ctx context.Context, txn *offsets.Txn, records []change.Record) ([]change.Record, error) {
	if !p.cfg.Errors.active() {
		out, err := p.cfg.Transforms.Apply(records)
		if err != nil {
			return nil, fault.Definite(fmt.Errorf("transforming a record for %s: %w", records[0].Topic, err))
		}
		return out, nil
	}
	kept := records[:0]
	p.originals = p.originals[:0]
	for i := range records {
		orig := records[i] // transforms edit records in place
		r, err := p.cfg.Transforms.Transform(&records[i])
		if err != nil {
			err = fmt.Errorf("transforming a record for %s: %w", orig.Topic, err)
			class := ""
			var te *smt.TransformError
			if errors.As(err, &te) {
				class = te.Class
			}
			if err := p.tolerate(ctx, txn, &orig, stageTransformation, class, err); err != nil {
				return nil, err
			}
			continue
		}
		if r != nil {
			kept = append(kept, *r)
			p.originals = append(p.originals, orig)
		}
	}
	return kept, nil
}

// tolerate handles a record that failed at stage: logged when errors.log
// asks, then the task stops (errors.tolerance=none) or the record is
// skipped, counted, and sent to the dead letter queue if there is one.
func (p *Poller) tolerate(ctx context.Context, txn *offsets.Txn, orig *change.Record, stage, class string, err error) error {
	eh := p.cfg.Errors
	if eh.Log {
		fields := []zap.Field{zap.String("task", eh.Connector+"-0"), zap.String("stage", stage), zap.String("class", class), zap.Error(err)}
		if eh.LogMessages && orig != nil {
			fields = append(fields, zap.String("topic", orig.Topic), zap.String("key", change.Format(orig.Key)), zap.String("value", change.Format(orig.Value)))
		}
		p.log.Error("Error encountered in task", fields...)
	}
	if !eh.TolerateAll {
		return fault.Definite(err)
	}
	p.cfg.Hooks.tolerated(stage, err)
	if eh.DLQTopic == "" || orig == nil {
		return nil
	}
	return p.deadLetter(ctx, txn, orig, stage, class, err)
}

// deadLetter produces the record as the source built it to the dead letter
// queue; it counts in the source transaction like any record, so the
// offset cannot pass it before Kafka has it.
func (p *Poller) deadLetter(ctx context.Context, txn *offsets.Txn, orig *change.Record, stage, class string, cause error) error {
	eh := p.cfg.Errors
	if err := p.ensureDLQ(ctx); err != nil {
		return err
	}
	kr := &kgo.Record{Topic: eh.DLQTopic}
	// A part the converter fails on goes as null: the headers say why.
	if orig.Key != nil || orig.KeySchema != nil {
		kr.Key, _ = p.cfg.KeyConverter.Convert(ctx, orig.Topic, orig.KeySchema, orig.Key)
	}
	if orig.Value != nil || orig.ValueSchema != nil {
		kr.Value, _ = p.cfg.ValueConverter.Convert(ctx, orig.Topic, orig.ValueSchema, orig.Value)
	}
	for _, h := range orig.Headers {
		kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: h.Key, Value: header.String(h.Schema, h.Value)})
	}
	if eh.DLQContextHeaders {
		add := func(k, v string) {
			kr.Headers = append(kr.Headers, kgo.RecordHeader{Key: "__connect.errors." + k, Value: []byte(v)})
		}
		add("topic", orig.Topic)
		if orig.FixedPartition {
			add("partition", strconv.Itoa(int(orig.Partition)))
		}
		add("connector.name", eh.Connector)
		add("task.id", "0")
		add("stage", stage)
		add("class.name", class)
		// Sluice has no Java exception: DataException is what Connect's
		// transforms and converters throw for a record they cannot handle.
		add("exception.class.name", "org.apache.kafka.connect.errors.DataException")
		add("exception.message", cause.Error())
	}
	txn.Add(1)
	p.cfg.Producer.Produce(ctx, kr, p.promise(txn, false))
	return nil
}

// ensureDLQ creates the dead letter queue topic once, with one partition
// and its replication factor, as Kafka Connect does.
func (p *Poller) ensureDLQ(ctx context.Context) error {
	if p.dlqReady {
		return nil
	}
	topic, rf := p.cfg.Errors.DLQTopic, p.cfg.Errors.DLQReplication
	ensure := func() error {
		if tc, ok := p.cfg.Topics.(interface {
			EnsureWith(ctx context.Context, topic string, partitions int32, rf int16) error
		}); ok {
			return tc.EnsureWith(ctx, topic, 1, rf)
		}
		return p.cfg.Topics.Ensure(ctx, topic)
	}
	if err := ensure(); err != nil {
		if fault.IsDefinite(err) {
			return err
		}
		if err := p.retry(ctx, "creating dead letter queue topic "+topic, ensure); err != nil {
			return err
		}
	}
	p.dlqReady = true
	return nil
}
