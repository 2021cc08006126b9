package connector

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/mysql"
	"github.com/sluice-cdc/sluice/connector/notify"
	"github.com/sluice-cdc/sluice/connector/vitess"
	"github.com/sluice-cdc/sluice/connector/vtbinlog"
	"github.com/sluice-cdc/sluice/converters"
	"github.com/sluice-cdc/sluice/converters/avro"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
	"github.com/sluice-cdc/sluice/offsets"
	"github.com/sluice-cdc/sluice/smt"
)

// Env is what a worker shares with the tasks it runs.
type Env struct {
	Worker *config.Worker
	// KafkaOpts are the worker's Kafka client options (brokers, client id,
	// security), for the stores a source keeps in Kafka.
	KafkaOpts []kgo.Opt
	Logger    *zap.Logger
}

// Factory builds a source from a connector file. It parses and checks the
// source's own properties and connects to nothing.
type Factory func(c *config.Connector, env Env) (Source, error)

// sources maps connector.class to the source behind it. A new source adds
// its package and a line here; nothing else names a source.
var sources = map[string]Factory{
	config.MySQLConnectorClass:   newMySQL,
	config.MariaDBConnectorClass: newMySQL,
	config.VitessConnectorClass:  newVitess,
}

func newMySQL(c *config.Connector, env Env) (Source, error) {
	if c.Raw[vtbinlog.PropTarget] != "" {
		// The MySQL family's binlog, through VTGate's binlog dump.
		return vtbinlog.New(c, env.Worker, env.KafkaOpts, env.Logger)
	}
	return mysql.New(c, env.Worker, env.KafkaOpts, env.Logger)
}

func newVitess(c *config.Connector, env Env) (Source, error) {
	s, err := vitess.New(c, env.Logger)
	if err != nil {
		return nil, err
	}
	return vitessSource{s}, nil
}

// vitessSource adds the task planning of tasks.max to the Vitess source.
type vitessSource struct{ *vitess.Source }

func (v vitessSource) PlanTasks(ctx context.Context, stored map[string][]byte) ([]PlannedTask, [][]byte, error) {
	planned, retire, err := v.Source.PlanTasks(ctx, stored)
	if err != nil {
		return nil, nil, err
	}
	out := make([]PlannedTask, len(planned))
	for i, p := range planned {
		out[i] = PlannedTask{ID: p.ID, Source: p.Source, OffsetKey: p.Key, Carry: p.Carry}
	}
	return out, retire, nil
}

// Classes lists the connector.class values Sluice runs, sorted.
func Classes() []string {
	classes := make([]string, 0, len(sources))
	for k := range sources {
		classes = append(classes, k)
	}
	slices.Sort(classes)
	return classes
}

// NewSource builds the source connector.class names.
func NewSource(c *config.Connector, env Env) (Source, error) {
	f, ok := sources[c.Class]
	if !ok {
		return nil, fmt.Errorf("property \"connector.class\": %q is not a connector Sluice has; use one of %s", c.Class, strings.Join(Classes(), ", "))
	}
	if env.Logger != nil {
		// One daemon runs many connectors: every line a source writes
		// (its snapshot, its stream's reconnects) names the one it is.
		env.Logger = env.Logger.With(zap.String("connector", c.Name))
	}
	return f(c, env)
}

// Check builds every part of a connector that needs no server, so that a
// file Sluice cannot honour is refused at start and by sluice validate,
// naming the property, instead of being run differently than it says.
func Check(c *config.Connector, env Env) error {
	src, err := NewSource(c, env)
	if err != nil {
		return err
	}
	_ = src.Close() // nothing was opened
	if _, err := smt.Parse(c.Raw); err != nil {
		return err
	}
	if _, err := ParseErrorHandling(c.Name, c.Raw); err != nil {
		return err
	}
	if _, err := contextHeaders(c, 0); err != nil {
		return err
	}
	kc, vc := env.Worker.ConvertersFor(c)
	if _, err := newConverter(kc, "key.converter", c); err != nil {
		return err
	}
	_, err = newConverter(vc, "value.converter", c)
	return err
}

// Validate checks a connector against its server, as sluice validate does.
// load, when not nil, reads the connector's stored offset, for sources
// that check it against the server (OffsetValidator); it is only called
// for those.
//
// scan, when given and not nil, lists the connector's stored offsets (by
// key, every key beginning with prefix): a source that plans its tasks
// (TaskPlanner) has each planned task's offset checked, as the task would
// start from it.
func Validate(ctx context.Context, c *config.Connector, env Env, load func(context.Context) ([]byte, error),
	scan ...func(ctx context.Context, prefix []byte) (map[string][]byte, error)) ([]config.Problem, error) {
	src, err := NewSource(c, env)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	probs, err := src.Validate(ctx)
	if err != nil {
		return probs, err
	}
	if (c.ExactlyOnceRequired || env.Worker.ExactlyOnceSource) && c.Flavor != config.FlavorVitess {
		if _, p := env.Worker.TxnBoundaryInterval(c); p != nil {
			probs = append(probs, *p)
		}
	}
	if tp, ok := src.(TaskPlanner); ok && len(scan) > 0 && scan[0] != nil {
		more, err := validateTasks(ctx, c, tp, scan[0])
		return append(probs, more...), err
	}
	ov, ok := src.(OffsetValidator)
	if !ok || load == nil {
		return probs, nil
	}
	stored, err := load(ctx)
	if err != nil {
		return probs, fmt.Errorf("reading the stored offset of connector %q: %w", c.Name, err)
	}
	more, err := ov.ValidateOffset(ctx, stored)
	return append(probs, more...), err
}

// Deps are the worker's shared parts a task produces and commits through.
type Deps struct {
	Env
	Producer Producer
	Topics   TopicEnsurer
	Store    offsets.Store
	Hooks    Hooks
	// Group, when set, counts the task live from its creation: see Group.
	Group *Group
	// TxnOpts are the client options of a transactional producer, for a
	// connector that runs exactly once (nil: the daemon offers none).
	TxnOpts []kgo.Opt
}

// NewTask wires a connector's task: its source, transforms, converters,
// queue bounds and poller settings.
func NewTask(c *config.Connector, d Deps) (*Task, error) {
	src, err := NewSource(c, d.Env)
	if err != nil {
		return nil, err
	}
	return newTask(c, d, src, offsets.Key(c.Name, c.TopicPrefix), "")
}

// newTask wires one task of a connector around its source, storing its
// offset under key; id names the task among the connector's (empty for a
// connector of one task).
func newTask(c *config.Connector, d Deps, src Source, key []byte, id string) (*Task, error) {
	if o, ok := src.(Observed); ok && len(d.Hooks) > 0 {
		o.Observe(d.Hooks)
	}
	chain, err := smt.Parse(c.Raw)
	if err != nil {
		return nil, err
	}
	errs, err := ParseErrorHandling(c.Name, c.Raw)
	if err != nil {
		return nil, err
	}
	kc, vc := d.Worker.ConvertersFor(c)
	keyConv, err := newConverter(kc, "key.converter", c)
	if err != nil {
		return nil, err
	}
	valConv, err := newConverter(vc, "value.converter", c)
	if err != nil {
		return nil, err
	}
	headers, err := contextHeaders(c, 0)
	if err != nil {
		return nil, err
	}
	log := d.Logger.With(zap.String("connector", c.Name))
	name := c.Name
	if id != "" {
		log = log.With(zap.String("task", id))
		name = c.Name + " task " + id
	}
	if c.SnapshotConfigured != "" {
		log.Info("snapshot.mode=configuration_based runs as a named mode", zap.String("as", c.SnapshotMode), zap.Bool("stream", !c.SnapshotNoStream))
	}
	task := &Task{
		Name: name, Source: src, Mode: c.SnapshotMode, NoStream: c.SnapshotNoStream, SnapshotDelay: c.SnapshotDelay, StreamingDelay: c.StreamingDelay, SkipPositionCheck: c.SkipPositionCheck,
		QueueEvents: c.MaxQueueSize, QueueBytes: c.MaxQueueSizeInBytes,
		Poller: PollerConfig{
			Transforms: chain, KeyConverter: keyConv, ValueConverter: valConv,
			Producer: d.Producer, Topics: d.Topics, Store: d.Store, OffsetKey: key,
			Errors: errs, KeyConverterClass: kc.Class, ValueConverterClass: vc.Class,
			Tombstones: c.TombstonesOnDelete, SkipUnchanged: c.SkipUnchanged, Headers: headers, MaxBatch: c.MaxBatchSize, PollInterval: c.PollInterval,
			FlushInterval: d.Worker.FlushIntervalFor(c), CommitTimeout: c.OffsetFlushTimeout + 5*time.Second,
			HeartbeatInterval: c.HeartbeatInterval, HeartbeatTopic: c.HeartbeatTopic, ServerName: c.TopicPrefix,
			Logger: log,
		},
		Store: d.Store, OffsetKey: key, FailAfter: c.ErrorsMaxRetries + 1, RetryWait: c.RetryWait,
		// Within SIGTERM's 10 s: the flush timeout plus room to drain.
		ShutdownTimeout: 8 * time.Second,
		Hooks:           d.Hooks, Logger: log,
	}
	if task.Txn, err = txnSettings(c, d, key, id, log); err != nil {
		return nil, err
	}
	if c.ProvideTransactionMetadata {
		task.Poller.TransactionTopic = c.TransactionTopic
		if n, ok := src.(TxCollectionNamer); ok {
			task.Poller.TxCollection = n.TxCollection
		}
	}
	if task.Notify, err = notify.ParseConfig(c.Raw, c.TopicPrefix); err != nil {
		return nil, err
	}
	if sc, ok := src.(StreamCopier); ok {
		task.CopyInStream = sc.CopiesInStream()
	}
	if s, ok := src.(OperationSkipper); ok {
		task.Poller.SkipOps = s.SkippedOperations()
	}
	if err := heartbeatAction(c, src, &task.Poller, log); err != nil {
		return nil, err
	}
	for range c.ConversionThreads - 1 {
		w, err := conversionWorker(c, kc, vc, keyConv, valConv)
		if err != nil {
			return nil, err
		}
		task.Poller.Workers = append(task.Poller.Workers, w)
	}
	if c.CustomRetriable != nil {
		task.Retriable = MatchesMessage(c.CustomRetriable)
	}
	if d.Group != nil && d.Group.join() {
		task.Group, task.live = d.Group, true
	}
	return task, nil
}

// conversionWorker builds one more conversion goroutine's transforms and
// converters. An Avro converter is shared (it is safe for concurrent use,
// and the registry ids it has learned are what lets a worker convert
// without asking the registry); a JSON converter's caches are each
// worker's own, so that no two goroutines contend for them.
func conversionWorker(c *config.Connector, kc, vc config.ConverterConfig, key, value converters.Converter) (ConversionWorker, error) {
	chain, err := smt.Parse(c.Raw)
	if err != nil {
		return ConversionWorker{}, err
	}
	w := ConversionWorker{Transforms: chain, KeyConverter: key, ValueConverter: value}
	if !kc.IsAvro() {
		if w.KeyConverter, err = newConverter(kc, "key.converter", c); err != nil {
			return ConversionWorker{}, err
		}
	}
	if !vc.IsAvro() {
		if w.ValueConverter, err = newConverter(vc, "value.converter", c); err != nil {
			return ConversionWorker{}, err
		}
	}
	return w, nil
}

// newConverter builds the converter a connector runs with; prop is
// key.converter or value.converter, which fixes what it converts. Both Avro
// classes speak the Confluent-compatible registry API and framing.
func newConverter(cc config.ConverterConfig, prop string, c *config.Connector) (converters.Converter, error) {
	if cc.IsAvro() {
		conv, err := avro.FromProps(cc.Props, prop == "key.converter", c.Raw["schema.name.adjustment.mode"], c.Raw["field.name.adjustment.mode"])
		if err != nil {
			return nil, fmt.Errorf("property %q (%s): %w", prop, cc.Class, err)
		}
		return conv, nil
	}
	conv, err := jsonconv.New(jsonconv.Config{SchemasEnable: cc.SchemasEnable, DecimalFormat: cc.Props["decimal.format"]})
	if err != nil {
		return nil, fmt.Errorf("property %q: %w", prop+".decimal.format", err)
	}
	return conv, nil
}

// heartbeatAction wires heartbeat.action.query to the source that runs it.
// Without heartbeats Debezium never runs it; Sluice says so.
func heartbeatAction(c *config.Connector, src Source, p *PollerConfig, log *zap.Logger) error {
	q := c.HeartbeatActionQuery
	if q == "" {
		return nil
	}
	a, ok := src.(HeartbeatActor)
	if !ok {
		return fmt.Errorf("property \"heartbeat.action.query\": connector %s's source cannot run it; remove it", c.Name)
	}
	if c.HeartbeatInterval <= 0 {
		log.Warn("heartbeat.action.query is not run: heartbeat.interval.ms is 0 (no heartbeats)")
		return nil
	}
	p.HeartbeatAction = func(ctx context.Context) error { return a.HeartbeatAction(ctx, q) }
	return nil
}
