package mysql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/history"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// Source is the MySQL/MariaDB connector behind Debezium's two classes: the
// coordinator (package connector) calls it to snapshot and to stream. It
// holds the streamer and hands the snapshot's bookkeeping to the stream
// that follows it.
type Source struct {
	s       *Streamer
	history historySettings
	kafka   []kgo.Opt // the worker's client options, for a Kafka schema history
	brokers []string
	opened  bool
	// afterSnapshot is the filter of the snapshot just taken, for the
	// Stream call that follows it in this process.
	afterSnapshot *skipFilter
}

// New builds the source of a connector file: it parses and checks every
// MySQL-specific property and connects to nothing. kafka are the worker's
// Kafka client options, for a schema history kept in Kafka.
func New(c *config.Connector, w *config.Worker, kafka []kgo.Opt, log *zap.Logger) (*Source, error) {
	cfg, err := ParseConfig(c)
	if err != nil {
		return nil, err
	}
	h, err := readHistorySettings(c)
	if err != nil {
		return nil, err
	}
	cfg.Logger = log
	return &Source{s: NewStreamer(server.New(cfg)), history: h, kafka: kafka, brokers: w.BootstrapServers}, nil
}

// ParseConfig reads the MySQL source's settings from a connector file, or
// says which property is wrong.
func ParseConfig(c *config.Connector) (server.Config, error) {
	cfg := server.Config{
		Flavor: string(c.Flavor), Host: c.Hostname, Port: uint16(c.Port),
		User: c.User, Password: c.Password.Reveal(), ServerID: c.ServerID,
		TopicPrefix: c.TopicPrefix, ConnectorName: c.Name, Filter: c,
		ConnectTimeout: c.ConnectTimeout, QueryTimeout: c.QueryTimeout,
		Snapshot: server.SnapshotConfig{Mode: c.SnapshotMode, LockingMode: c.SnapshotLockingMode,
			MaxThreads: c.SnapshotMaxThreads},
		SignalTable:      c.Raw[propSignalTable],
		IncrementalChunk: 1024,
	}
	if c.QueryTimeout == 0 {
		cfg.QueryTimeout = -1 // Debezium's 0: no limit
	}
	// Set, connect.keep.alive.interval.ms bounds how long a silent binlog
	// connection is trusted, as in Debezium; unset, Sluice's shorter
	// default (35 s) stays.
	if _, ok := c.Raw["connect.keep.alive.interval.ms"]; ok {
		cfg.KeepAlive = c.KeepAliveInterval
	}
	if v, ok := c.Raw[propIncrementalChunk]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return cfg, fmt.Errorf("property %q: %q is not a positive integer (default 1024)", propIncrementalChunk, v)
		}
		cfg.IncrementalChunk = n
	}
	if v := cfg.SignalTable; v != "" && strings.Count(v, ".") != 1 {
		return cfg, fmt.Errorf("property %q: %q is not <database>.<table>", propSignalTable, v)
	}
	if err := applyDDLConfig(&cfg, c); err != nil {
		return cfg, err
	}
	// The handling modes, column.* rules and message.key.columns.
	types, err := mysqltypes.NewTypeOptions(c.DecimalHandlingMode, c.BigIntUnsignedHandlingMode, c.TimePrecisionMode, c.BinaryHandlingMode, c.Raw)
	if err != nil {
		return cfg, err
	}
	cfg.Types = types
	return cfg, nil
}

// Properties read here; the config package keeps them in Connector.Raw.
const (
	propSignalTable      = "signal.data.collection"
	propIncrementalChunk = "incremental.snapshot.chunk.size"
)

// ParseOffset decodes a stored offset in Debezium's MySQL format.
func (m *Source) ParseOffset(stored []byte) (change.Position, error) {
	if stored == nil {
		return nil, nil
	}
	p, err := offsets.ParseMySQL(stored)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Start opens the schema history (once), learns what the server speaks,
// and loads the structure of the tables as of from: the snapshot's start
// while a snapshot is unfinished, else from itself.
func (m *Source) Start(ctx context.Context, from change.Position) error {
	s := m.s
	if !m.opened {
		h, err := openHistory(ctx, m.history, m.brokers, m.kafka, s.log)
		if err != nil {
			return err
		}
		s.cfg.History, m.opened = h, true
	}
	if err := s.srv.Detect(ctx); err != nil {
		return err
	}
	m.afterSnapshot = nil
	if from == nil {
		if s.cfg.Snapshot.Mode == config.SnapshotNever {
			// Debezium's "never": read the binlog from its beginning,
			// learning tables from the DDL in it.
			return s.emptyModel(ctx)
		}
		return nil
	}
	p := from.(offsets.MySQL)
	s.incr = nil
	if p.SluiceIncremental != "" {
		s.incr = &incremental{s: s}
		if err := json.Unmarshal([]byte(p.SluiceIncremental), &s.incr.state); err != nil {
			return fault.Definite(fmt.Errorf("decoding the on-demand snapshot progress stored in the offset: %w", err))
		}
		s.log.Info("resuming the on-demand snapshot", zap.Strings("tables", s.incr.state.Tables))
	}
	resume := p
	if p.SnapshotInProgress() {
		st, err := decodeSnapState(p.SluiceSnapshot)
		if err != nil {
			return fault.Definite(err)
		}
		resume = offsets.MySQL{File: st.Start.File, Pos: st.Start.Pos, GTIDs: st.Start.GTIDs, Snapshot: true}
	}
	return s.recoverSchema(ctx, resume)
}

// Snapshot takes a new snapshot (from nil), or resumes the one from
// records after its last finished chunk, and returns where the binlog
// stream continues. Without data it records the tables' structure and
// returns the server's current position.
func (m *Source) Snapshot(ctx context.Context, from change.Position, data bool, out change.Enqueuer) (change.Position, error) {
	s := m.s
	if from != nil {
		st, err := decodeSnapState(from.(offsets.MySQL).SluiceSnapshot)
		if err != nil {
			return nil, fault.Definite(err)
		}
		s.log.Info("resuming the snapshot after its last finished chunk", zap.Int("chunks_done", len(st.Done)))
		return m.snapshot(ctx, st, true, out)
	}
	p, err := s.startPosition(ctx)
	if err != nil {
		return nil, err
	}
	var st *snapState
	if data {
		if st, err = s.snapshotter().newSnapState(ctx, p); err != nil {
			return nil, err
		}
	}
	if err := s.enqueueSeedEvents(ctx, out); err != nil {
		return nil, err
	}
	if !data {
		return p, nil
	}
	return m.snapshot(ctx, st, false, out)
}

// snapshot reads the snapshot's rows and prepares the filter that keeps the
// stream from repeating what the snapshot's chunks already hold.
func (m *Source) snapshot(ctx context.Context, st *snapState, resumed bool, out change.Enqueuer) (change.Position, error) {
	s := m.s
	snap := s.snapshotter()
	var guards []*guard
	if resumed {
		var err error
		if guards, err = s.loadGuards(ctx, st); err != nil {
			return nil, err
		}
		if st.InFlight != nil {
			// The range a crash interrupted is read again now; its keys
			// are collected as it is.
			g, err := newGuard(s.cfg.Proto(), *st.InFlight)
			if err != nil {
				return nil, fault.Definite(err)
			}
			snap.guard = g
			guards = append(guards, g)
			st.Guards = append(st.Guards, *st.InFlight)
			st.InFlight = nil
		}
	}
	if err := snap.Run(ctx, st, out); err != nil {
		return nil, err
	}
	filter, err := newSkipFilter(s.cfg.Proto(), st)
	if err != nil {
		return nil, fault.Definite(err)
	}
	filter.guards = guards
	m.afterSnapshot = filter
	return offsets.MySQL{File: st.Start.File, Pos: st.Start.Pos, GTIDs: st.Start.GTIDs, SluiceSnapshot: st.encode()}, nil
}

// Stream reads the binlog from from (nil: from the oldest binlog). A
// position that carries snapshot bookkeeping gets the filter that skips
// changes the snapshot's chunks already hold.
func (m *Source) Stream(ctx context.Context, from change.Position, out change.Enqueuer) error {
	s := m.s
	if from == nil {
		return s.Stream(ctx, offsets.MySQL{}, nil, out)
	}
	p := from.(offsets.MySQL)
	filter := m.afterSnapshot
	m.afterSnapshot = nil
	if filter == nil && p.SluiceSnapshot != "" {
		st, err := decodeSnapState(p.SluiceSnapshot)
		if err != nil {
			return fault.Definite(err)
		}
		if filter, err = newSkipFilter(s.cfg.Proto(), st); err != nil {
			return fault.Definite(err)
		}
		if filter.guards, err = s.loadGuards(ctx, st); err != nil {
			return err
		}
	}
	err := s.checkAvailable(ctx, p)
	if err == nil {
		err = s.Stream(ctx, p, filter, out)
	}
	if isPurged(err) && !errors.Is(err, fault.ErrPositionUnavailable) {
		err = fault.Definite(fmt.Errorf("%w: %w", fault.ErrPositionUnavailable, err))
	}
	return err
}

// Validate runs the preflight checks against the server.
func (m *Source) Validate(ctx context.Context) ([]config.Problem, error) {
	return Preflight(ctx, *m.s.cfg)
}

// Close releases the schema history.
func (m *Source) Close() error {
	if h := m.s.cfg.History; h != nil {
		h.Close()
	}
	return nil
}

// openHistory opens the connector's schema history store.
func openHistory(ctx context.Context, h historySettings, workerBrokers []string, base []kgo.Opt, log *zap.Logger) (history.Store, error) {
	if h.class == historyFileClass {
		log.Info("schema history in a file", zap.String("file", h.file))
		return history.NewFileStore(h.file, log)
	}
	opts := base
	brokers := workerBrokers
	if len(h.brokers) > 0 {
		// A history on another cluster: the worker's security settings
		// still apply, its seed brokers do not.
		brokers = h.brokers
		opts = append(append([]kgo.Opt{}, base...), kgo.SeedBrokers(brokers...))
	}
	log.Info("schema history in Kafka", zap.String("topic", h.topic), zap.Strings("bootstrap_servers", brokers))
	st, err := history.NewKafkaStore(ctx, history.KafkaConfig{Brokers: brokers, Topic: h.topic, ClientOpts: opts, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("opening schema history topic %s: %w", h.topic, err)
	}
	return st, nil
}
