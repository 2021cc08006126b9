package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/history"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/connector/notify"
)

// Config is a MySQL source's settings: what the binlog reader and the
// snapshots need to know about the server and the connector.
type Config struct {
	Flavor   string // "mysql" or "mariadb"
	Host     string
	Port     uint16
	User     string
	Password string
	ServerID uint32 // the replica id Sluice registers with
	// ServerIDRandom: ServerID was drawn at random (database.server.id
	// left out), so the stream may move to another id when a replica
	// registering with this one takes its binlog dump.
	ServerIDRandom bool
	TopicNaming    config.TopicNaming // topic.delimiter, topic.naming.strategy
	TopicPrefix    string
	ConnectorName  string
	Filter         Filter
	Heartbeat      time.Duration // binlog heartbeat period; 0 = 10 s
	// FailAfter is the broken binlog connection in a row that fails the
	// stream instead of a reconnect: errors.max.retries + 1 (0: none).
	FailAfter int
	// RetryWait, when set, is the wait before every reconnect
	// (retriable.restart.connector.wait.ms); 0: 1 s doubling up to 30 s.
	RetryWait time.Duration
	// TLS starts TLS on every connection (database.ssl.mode, TLSMode);
	// nil: plaintext. TLSOptional: a server without TLS is connected to
	// in plaintext (preferred).
	TLS            *tls.Config
	TLSMode        string
	TLSOptional    bool
	ConnectTimeout time.Duration // 0 = 30 s
	// QueryTimeout bounds each wait on the server after the handshake
	// (database.query.timeout.ms); 0 = 10 min, negative = no limit.
	QueryTimeout time.Duration
	// InitialStatements (database.initial.statements) run on every
	// connection Connect opens, before it is used, as Debezium runs them on
	// each JDBC connection; the binlog connection does not run them.
	InitialStatements []string
	// KeepAlive is connect.keep.alive.interval.ms: a binlog connection
	// silent this long (no event, no heartbeat) is dead and reopened, and
	// heartbeats are asked for at 0.8 of it, as Debezium's binlog client
	// does. 0 keeps Sluice's default: a heartbeat every Heartbeat and a
	// read timeout of three missed heartbeats plus 5 s.
	KeepAlive time.Duration
	Snapshot  SnapshotConfig
	// ServerFlavor is the flavor the server speaks, found by
	// Server.Detect; it may differ from Flavor (the connector class, which
	// shapes events): Debezium's MySQL connector is often pointed at MariaDB.
	ServerFlavor string
	Types        mysqltypes.TypeOptions // how column values are represented (handling modes, column.* rules)
	// SignalTable is signal.data.collection ("db.table"): Debezium's signal
	// table, for on-demand snapshots. Empty: no signals.
	SignalTable string
	// IncludeQuery is include.query: source.query carries the statement
	// behind each row change, from MariaDB's ANNOTATE_ROWS events (asked
	// for when reading the binlog, by the MariaDB class as Debezium's does)
	// or MySQL's Rows_query events (binlog_rows_query_log_events=ON).
	IncludeQuery bool
	// ReadOnly is read.only: on-demand snapshot chunks are bounded by the
	// server's GTID positions before and after their SELECT instead of
	// watermark rows written to the signal table, so the connector writes
	// nothing (a read replica).
	ReadOnly bool
	// IncrementalChunk is incremental.snapshot.chunk.size (default 1024).
	IncrementalChunk int
	// WatermarkDelete is incremental.snapshot.watermarking.strategy
	// insert_delete: a chunk's open watermark row is deleted to close its
	// window, instead of a close row inserted (insert_insert, the default).
	WatermarkDelete bool
	// TxMetadata is provide.transaction.metadata: the reader enqueues
	// where transactions begin (change.KindBegin) for the poller's BEGIN
	// and END records.
	TxMetadata bool
	// HeartbeatTicks asks the reader for a commit at its unchanged position
	// on every server keepalive between transactions, so that
	// heartbeat.interval.ms records flow on an idle server, as Debezium's
	// do on its binlog client's heartbeats.
	HeartbeatTicks bool
	Logger         *zap.Logger

	// DDL handling (package binlog). The zero values skip nothing and
	// write no schema change events; Debezium's defaults are
	// IncludeSchemaChanges and SkippedOperations {t}.
	IncludeSchemaChanges          bool               // include.schema.changes
	SkippedOperations             map[change.Op]bool // skipped.operations
	SkipUnparseableDDL            bool               // schema.history.internal.skip.unparseable.ddl
	StoreOnlyCapturedTablesDDL    bool               // schema.history.internal.store.only.captured.tables.ddl
	StoreOnlyCapturedDatabasesDDL bool               // schema.history.internal.store.only.captured.databases.ddl

	// History keeps the schema history (package binlog); nil keeps none,
	// and table structures then come from information_schema as it is now.
	History history.Store

	// Database is the database the connections name in their handshake
	// ("": none). Through VTGate it is a target, keyspace:shard@type,
	// which sends every statement to that shard's tablet as written.
	Database string
}

// Proto is the flavor of the binlog protocol and GTIDs: the server's.
func (c *Config) Proto() string {
	if c.ServerFlavor != "" {
		return c.ServerFlavor
	}
	return c.Flavor
}

// PrivateGTIDs reports whether offsets keep the server's GTIDs where
// Debezium does not look (offsets.MySQL.PrivateGTIDs), and schema history
// positions none: for the MySQL connector class on a MariaDB server, where
// Debezium's MySQL connector reads and stores no GTIDs.
func (c *Config) PrivateGTIDs() bool {
	return c.Flavor == "mysql" && c.Proto() == "mariadb"
}

// SnapshotConfig holds the snapshot settings of a connector.
type SnapshotConfig struct {
	Mode        string // snapshot.mode
	LockingMode string // snapshot.locking.mode: minimal (default), extended, none
	MaxThreads  int    // snapshot.max.threads: chunks read at once
	ChunkRows   int    // sluice.snapshot.range.rows: rows per primary-key range; 0 = 50,000
	// Selects are snapshot.select.statement.overrides: "db.table" -> the
	// SELECT that reads it, in one piece.
	Selects map[string]string
	// Tables is snapshot.include.collection.list: which captured tables
	// a snapshot reads (nil: all).
	Tables func(db, table string) bool
	// Order is snapshot.tables.order.by.row.count: "disabled" (by name),
	// "ascending" or "descending" (by estimated rows).
	Order string
	// LockTimeout is snapshot.lock.timeout.ms; 0 is the default, 10 s.
	LockTimeout time.Duration
}

// LockWaitSeconds is the session's lock_wait_timeout for a snapshot: the
// whole seconds of snapshot.lock.timeout.ms, as Debezium sets it (so under
// a second is 0: no wait).
func (c SnapshotConfig) LockWaitSeconds() int64 {
	if c.LockTimeout == 0 {
		return 10
	}
	return int64(c.LockTimeout / time.Second)
}

// Filter decides which tables are captured.
type Filter interface {
	TableIncluded(db, table string) bool
}

// CaptureOrderer is implemented by filters that know the order Debezium
// lists captured tables in ("db.table" names; table.include.list's order).
// Without it, names are listed sorted.
type CaptureOrderer interface {
	CaptureOrder(names []string) []string
}

// DatabaseFilter is implemented by filters that can also decide on a whole
// database (database.include.list / database.exclude.list). A Filter that
// does not implement it lets every database through.
type DatabaseFilter interface {
	DatabaseIncluded(db string) bool
}

// Server is what the binlog reader and the snapshots share about the one
// server a connector reads: its settings (with what the server turned out
// to be), its catalog, and the schema of the source block its records
// carry. The binlog reader and the snapshots hold the same *Server.
type Server struct {
	Config
	Log     *zap.Logger
	Catalog *Catalog
	Source  *change.Schema // the source block's schema
	// Notify is the sink notification channel; nil when it is off.
	Notify *notify.Sink
	// Observer is told of the stream's connection and the snapshot's
	// progress (metrics); a NopObserver until the task sets one.
	Observer change.Observer
}

// New prepares the server of cfg; nothing connects until it is used.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	s := &Server{Config: cfg, Log: cfg.Logger, Source: sourceSchema(cfg.Flavor), Observer: change.NopObserver{}}
	s.Catalog = NewCatalog(s.Connect)
	s.Catalog.JSONTyped = cfg.Types.MariaDBJSON
	return s
}

// Detect asks the server what it is (ServerFlavor).
func (s *Server) Detect(ctx context.Context) error {
	conn, err := s.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	r, err := conn.Execute("SELECT VERSION()")
	if err != nil {
		return fmt.Errorf("reading the server version: %w", err)
	}
	v, _ := r.GetString(0, 0)
	s.ServerFlavor = "mysql"
	if strings.Contains(strings.ToLower(v), "mariadb") {
		s.ServerFlavor = "mariadb"
	}
	if s.ServerFlavor != s.Flavor {
		s.Log.Warn("connector.class does not match the server; reading the binlog as the server speaks it, events keep the connector class's format",
			zap.String("server", s.ServerFlavor), zap.String("server_version", v), zap.String("connector_flavor", s.Flavor))
	}
	return nil
}

// BuildTable is the table version of the given columns and key, named and
// typed by the connector's settings.
func (s *Server) BuildTable(db, name string, defs []mysqltypes.ColumnDef, key []int) (*change.Table, error) {
	return mysqltypes.TableBuilder{Prefix: s.TopicPrefix, Naming: s.TopicNaming, Source: s.Source, Types: s.Types, Log: s.Log}.Build(db, name, defs, key)
}
