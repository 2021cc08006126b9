// Package vitess is the Vitess source: it reads VTGate's VStream API and
// writes what Debezium's Vitess connector writes. FIELD events define each
// table version through the MySQL-family type layer (connector/mysqltypes);
// ROW events become row changes; a VGTID then COMMIT ends a transaction
// with the VGTID as its position. VTGate's copy phase is the snapshot, and
// its progress (table_p_ks) is stored in the offset as it is acknowledged.
// With vitess.shard listing several shards, the source streams with one
// reader per shard (connector.Splitter).
package vitess

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/offsets"
)

// Properties of Debezium's Vitess connector read here (the config package
// keeps them in Connector.Raw).
const (
	propKeyspace       = "vitess.keyspace"
	propShard          = "vitess.shard"
	propTabletType     = "vitess.tablet.type"
	propVGTID          = "vitess.vgtid"
	propKeepalive      = "vitess.keepalive.interval.ms"
	propMaxInbound     = "vitess.grpc.max_inbound_message_size"
	propStopOnReshard  = "vitess.stop_on_reshard"
	propGRPCHeaders    = "vitess.grpc.headers"
	propSnapshotTables = "snapshot.include.collection.list"
	propChunkSize      = "vitess.transaction.chunk.size" // Sluice's own
)

// defaultMaxInbound is Sluice's gRPC receive limit: Debezium's 4 MiB stops
// copy phases of wide rows, and VTGate batches copy rows up to its
// vstream_packet_size and more; 64 MiB leaves room without letting one
// message take the memory of the queue.
const defaultMaxInbound = 64 << 20

// defaultChunkSize asks VTGate (v24+) to send a transaction larger than
// this in pieces, so a huge transaction streams through the byte-bounded
// queue instead of arriving, or being held, whole.
const defaultChunkSize = 4 << 20

// Config is the Vitess source's settings from a connector file.
type Config struct {
	Name, TopicPrefix string
	// SchemaChangeTopic is where schema change events go: topic.prefix,
	// or TableTopicNamingStrategy's override.schema.change.topic.
	SchemaChangeTopic string
	Addr              string // VTGate gRPC host:port
	User, Password    string
	Keyspace          string
	Shards            []string // vitess.shard; empty: the keyspace's shards
	TabletType        string   // PRIMARY, REPLICA or RDONLY
	// Start is vitess.vgtid when snapshot.mode=never: "current" or a
	// stored VGTID JSON (then Shards must match it).
	Start          string
	StartVGTID     *offsets.Vitess
	SnapshotMode   string // initial, never or when_needed
	Keepalive      time.Duration
	MaxInbound     int
	ChunkSize      int64
	StopOnReshard  bool
	Headers        map[string]string
	Heartbeat      time.Duration // heartbeat.interval.ms; 0 asks VTGate for 1 s heartbeats
	SnapshotTables []string
	SchemaChanges  bool               // include.schema.changes
	TxMetadata     bool               // provide.transaction.metadata
	SkippedOps     map[change.Op]bool // skipped.operations (Debezium's default: t)
	Filter         *config.Connector
	Types          mysqltypes.TypeOptions
	BigIntString   bool // bigint.unsigned.handling.mode=string
	Tasks          TaskConfig
	Logger         *zap.Logger
	// Observer is told when a VStream answers and when it ends (metrics);
	// ParseConfig sets a NopObserver.
	Observer change.Observer
}

// ParseConfig reads the Vitess source's settings from a connector file, or
// says which property is wrong.
func ParseConfig(c *config.Connector) (Config, error) {
	raw := c.Raw
	cfg := Config{
		Name: c.Name, TopicPrefix: c.TopicPrefix, SchemaChangeTopic: c.TopicPrefix, Observer: change.NopObserver{},
		Addr: net.JoinHostPort(c.Hostname, strconv.Itoa(c.Port)), User: c.User, Password: c.Password.Reveal(),
		Keyspace: strings.TrimSpace(raw[propKeyspace]), TabletType: "PRIMARY", Start: "current",
		SnapshotMode: c.SnapshotMode, MaxInbound: defaultMaxInbound, ChunkSize: defaultChunkSize,
		Heartbeat: c.HeartbeatInterval, SchemaChanges: c.IncludeSchemaChanges, TxMetadata: c.ProvideTransactionMetadata,
		Filter: c, BigIntString: c.BigIntUnsignedHandlingMode == config.BigIntUnsignedString,
	}
	if c.SchemaChangeTopic != "" {
		cfg.SchemaChangeTopic = c.SchemaChangeTopic
	}
	if cfg.Keyspace == "" {
		return cfg, fmt.Errorf("property %q is required: the keyspace to capture", propKeyspace)
	}
	for _, s := range strings.Split(raw[propShard], ",") {
		if s = strings.TrimSpace(s); s != "" {
			cfg.Shards = append(cfg.Shards, s)
		}
	}
	switch t := strings.ToUpper(strings.TrimSpace(raw[propTabletType])); t {
	case "", "MASTER", "PRIMARY":
	case "REPLICA", "RDONLY":
		cfg.TabletType = t
	default:
		return cfg, fmt.Errorf("property %q: %q is not MASTER, PRIMARY, REPLICA or RDONLY", propTabletType, raw[propTabletType])
	}
	switch c.SnapshotMode {
	case config.SnapshotInitial, config.SnapshotNever:
	case config.SnapshotWhenNeeded:
		// Not a mode of Debezium's Vitess connector (3.5 has initial and
		// never), but Debezium's name, in its MySQL connector, for what it
		// does here: copy the tables again when the stored VGTID can no
		// longer be read (its shards deleted by a completed reshard).
	default:
		return cfg, fmt.Errorf("property \"snapshot.mode\": %q is not a mode of Sluice's Vitess source; use initial or never (Debezium's Vitess modes) or when_needed", c.SnapshotMode)
	}
	if c.HeartbeatActionQuery != "" {
		return cfg, fmt.Errorf("property \"heartbeat.action.query\": Sluice's Vitess source has no SQL connection to run it on; remove it (heartbeat.interval.ms alone still writes heartbeats)")
	}
	skipped := "t"
	if v, ok := raw["skipped.operations"]; ok {
		skipped = v
	}
	ops, err := change.ParseSkippedOperations(skipped)
	if err != nil {
		return cfg, fmt.Errorf("property \"skipped.operations\": %w", err)
	}
	cfg.SkippedOps = ops
	if err := parseStart(&cfg, raw[propVGTID]); err != nil {
		return cfg, err
	}
	if err := parseNumbers(&cfg, raw); err != nil {
		return cfg, err
	}
	tasks, err := parseTasks(raw)
	if err != nil {
		return cfg, err
	}
	cfg.Tasks = tasks
	for _, h := range strings.Split(raw[propGRPCHeaders], ",") {
		if h = strings.TrimSpace(h); h == "" {
			continue
		}
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			return cfg, fmt.Errorf("property %q: %q is not key:value", propGRPCHeaders, h)
		}
		if cfg.Headers == nil {
			cfg.Headers = map[string]string{}
		}
		cfg.Headers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	for _, t := range strings.Split(raw[propSnapshotTables], ",") {
		if t = strings.TrimSpace(t); t != "" {
			cfg.SnapshotTables = append(cfg.SnapshotTables, t)
		}
	}
	// DECIMAL is always text in Debezium's Vitess connector; the other
	// handling modes apply as for MySQL.
	bigint := c.BigIntUnsignedHandlingMode
	if cfg.BigIntString {
		bigint = config.BigIntUnsignedLong // unused: such columns are built as text
	}
	types, err := mysqltypes.NewTypeOptions(config.DecimalString, bigint, c.TimePrecisionMode, c.BinaryHandlingMode, raw)
	if err != nil {
		return cfg, err
	}
	cfg.Types = types
	return cfg, nil
}

// parseStart reads vitess.vgtid: Debezium uses it only with
// snapshot.mode=never ("current", or a VGTID naming every listed shard).
func parseStart(cfg *Config, v string) error {
	v = strings.TrimSpace(v)
	if v == "" || v == "current" {
		return nil
	}
	if cfg.SnapshotMode != config.SnapshotNever {
		return fmt.Errorf("property %q is only used with snapshot.mode=never (Debezium's Vitess connector ignores it otherwise); remove it or set snapshot.mode=never", propVGTID)
	}
	p, err := offsets.ParseVGTID(v)
	if err != nil {
		return fmt.Errorf("property %q: %w", propVGTID, err)
	}
	if len(cfg.Shards) != len(p.Shards) {
		return fmt.Errorf("property %q names %d shards and %q %d; a VGTID must give a GTID for every listed shard", propVGTID, len(p.Shards), propShard, len(cfg.Shards))
	}
	for _, s := range p.Shards {
		if s.Keyspace != cfg.Keyspace || !contains(cfg.Shards, s.Shard) {
			return fmt.Errorf("property %q: shard %s/%s is not among %q %v of keyspace %s", propVGTID, s.Keyspace, s.Shard, propShard, cfg.Shards, cfg.Keyspace)
		}
	}
	cfg.Start, cfg.StartVGTID = v, &p
	return nil
}

func parseNumbers(cfg *Config, raw config.Properties) error {
	num := func(prop string, def int64) (int64, error) {
		v, ok := raw[prop]
		if !ok || strings.TrimSpace(v) == "" {
			return def, nil
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("property %q: %q is not a non-negative integer", prop, v)
		}
		return n, nil
	}
	ka, err := num(propKeepalive, 0)
	if err != nil {
		return err
	}
	// Debezium's default (Long.MAX_VALUE) means no keepalive pings.
	if ka > 0 && ka < 1<<53 {
		cfg.Keepalive = time.Duration(ka) * time.Millisecond
	}
	mi, err := num(propMaxInbound, defaultMaxInbound)
	if err != nil {
		return err
	}
	if mi < 1<<20 || mi > 1<<31-1 {
		return fmt.Errorf("property %q: %d is outside 1 MiB to 2 GiB", propMaxInbound, mi)
	}
	cfg.MaxInbound = int(mi)
	if cfg.ChunkSize, err = num(propChunkSize, defaultChunkSize); err != nil {
		return err
	}
	cfg.StopOnReshard = strings.EqualFold(strings.TrimSpace(raw[propStopOnReshard]), "true")
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
