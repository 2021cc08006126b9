package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Flavor names the Debezium connector Sluice stands in for; it is the value
// of the "connector" field of every event's source block.
type Flavor string

const (
	FlavorMySQL   Flavor = "mysql"
	FlavorMariaDB Flavor = "mariadb"
	// FlavorVitess reads VTGate's VStream; the vitess.* properties and the
	// defaults that differ (see vitessDefaults) are connector/vitess's.
	FlavorVitess Flavor = "vitess"
)

// Connector classes Sluice accepts in connector.class.
const (
	MySQLConnectorClass   = "io.debezium.connector.mysql.MySqlConnector"
	MariaDBConnectorClass = "io.debezium.connector.mariadb.MariaDbConnector"
	VitessConnectorClass  = "io.debezium.connector.vitess.VitessConnector"
)

// Converter classes Sluice accepts in key.converter and value.converter.
const (
	JSONConverterClass            = "org.apache.kafka.connect.json.JsonConverter"
	ConfluentAvroConverterClass   = "io.confluent.connect.avro.AvroConverter"
	ApicurioAvroConverterClass    = "io.apicurio.registry.utils.converter.AvroConverter"
	DefaultConverterClass         = JSONConverterClass
	confluentRegistryURLProperty  = "schema.registry.url"
	apicurioRegistryURLProperty   = "apicurio.registry.url"
	converterSchemasEnableSetting = "schemas.enable"
)

// Values of snapshot.mode (Debezium 2.7 and 3.x; never, schema_only and
// schema_only_recovery are the 2.x names of no_data-like modes that 3.0
// dropped). Sluice stores the value as given, lower-case; the snapshotter
// decides what each means.
const (
	SnapshotInitial            = "initial"
	SnapshotInitialOnly        = "initial_only"
	SnapshotWhenNeeded         = "when_needed"
	SnapshotNever              = "never"
	SnapshotNoData             = "no_data"
	SnapshotSchemaOnly         = "schema_only"
	SnapshotRecovery           = "recovery"
	SnapshotSchemaOnlyRecovery = "schema_only_recovery"
	SnapshotAlways             = "always"
	SnapshotConfigurationBased = "configuration_based"
	SnapshotCustom             = "custom"
)

// Values of snapshot.locking.mode.
const (
	LockingMinimal        = "minimal"
	LockingExtended       = "extended"
	LockingNone           = "none"
	LockingMinimalPercona = "minimal_percona" // MySQL connector only
)

// Values of the data-type handling modes.
const (
	DecimalPrecise = "precise"
	DecimalDouble  = "double"
	DecimalString  = "string"

	BigIntUnsignedLong    = "long"
	BigIntUnsignedPrecise = "precise"
	BigIntUnsignedString  = "string" // Vitess only

	TimeAdaptiveTimeMicroseconds = "adaptive_time_microseconds"
	TimeConnect                  = "connect"

	BinaryBytes         = "bytes"
	BinaryBase64        = "base64"
	BinaryBase64URLSafe = "base64-url-safe"
	BinaryHex           = "hex"

	FailureFail = "fail"
	FailureWarn = "warn"
	FailureSkip = "skip" // "ignore", Debezium's older spelling, is stored as "skip"
)

// ConverterConfig is the key or value converter of a connector.
type ConverterConfig struct {
	// Class is one of JSONConverterClass, ConfluentAvroConverterClass or
	// ApicurioAvroConverterClass.
	Class string
	// SchemasEnable is <prefix>.schemas.enable: whether the JSON converter
	// writes the {"schema":…,"payload":…} envelope (default true).
	SchemasEnable bool
	// Props holds the other <prefix>.* properties with the prefix removed,
	// e.g. "schema.registry.url", "basic.auth.user.info".
	Props Properties
	// Set reports that <prefix> itself was given. A connector that does not
	// set it uses the worker's converter (Worker.ConvertersFor), as Kafka
	// Connect does.
	Set bool
}

// IsAvro reports whether the converter writes Avro.
func (c ConverterConfig) IsAvro() bool { return c.Class != JSONConverterClass }

// RegistryURL returns the schema registry URL(s) the converter was given, or
// "" for the JSON converter.
func (c ConverterConfig) RegistryURL() string {
	switch c.Class {
	case ConfluentAvroConverterClass:
		return c.Props[confluentRegistryURLProperty]
	case ApicurioAvroConverterClass:
		if u := c.Props[confluentRegistryURLProperty]; u != "" {
			return u
		}
		return c.Props[apicurioRegistryURLProperty]
	}
	return ""
}

// Connector is one validated connector configuration. Every field holds the
// value given in the file or Debezium's default. A Connector is read-only
// once loaded and safe for concurrent use.
type Connector struct {
	Name   string // the connector's name: the key of its offsets in _connect_offsets
	Source string // where it was loaded from (file path), for messages

	Class  string // connector.class
	Flavor Flavor // from connector.class

	Hostname string // database.hostname
	Port     int    // database.port, default 3306
	User     string // database.user
	Password Secret // database.password
	// DatabaseTLS is database.ssl.mode and its stores (MySQL-family
	// classes).
	DatabaseTLS DatabaseTLS
	// ServerID is database.server.id. When the file leaves it out it is a
	// random number from 5400 to 6399 (Debezium 1.x's default) and
	// ServerIDRandom is true.
	ServerID       uint32
	ServerIDRandom bool
	TopicPrefix    string // topic.prefix
	// TopicNaming names the tables' topics (topic.delimiter, which also
	// joins the metadata topics' names, and topic.naming.strategy).
	TopicNaming TopicNaming
	// SchemaChangeTopic is Vitess's override.schema.change.topic (with its
	// TableTopicNamingStrategy): the schema change events' topic in place
	// of topic.prefix; "" otherwise.
	SchemaChangeTopic string

	// The include and exclude lists, split into their patterns. At most one
	// of each pair is set. Use DatabaseIncluded and TableIncluded to match.
	DatabaseIncludeList []string
	DatabaseExcludeList []string
	TableIncludeList    []string
	TableExcludeList    []string
	TableIgnoreBuiltin  bool // table.ignore.builtin, default true: skip mysql, sys, information_schema, performance_schema

	TombstonesOnDelete bool // tombstones.on.delete, default true
	// SkipUnchanged is skip.messages.without.change: an update whose
	// after image equals its before image as written (excluded columns
	// left out, masked and truncated ones as written) is not sent.
	SkipUnchanged bool
	// IncludeSchemaComments is include.schema.comments (see
	// mysqltypes.TypeOptions.Comments).
	IncludeSchemaComments bool
	IncludeQuery          bool // include.query, default false
	MaxQueueSize          int  // max.queue.size, default 2048 (Debezium: 8192), or twice max.batch.size
	MaxBatchSize          int  // max.batch.size, default 1024 (Debezium: 2048)
	// ErrorsMaxRetries is errors.max.retries: how many times in a row a
	// transient failure of the source is retried before the task fails
	// (-1, the default: no limit; 0: none).
	ErrorsMaxRetries int
	// CustomRetriable is custom.retriable.exception: a failure whose
	// message, or the message of an error it wraps, matches it whole is
	// retried although Sluice takes it for definite, as Debezium retries
	// an exception whose message matches. nil: none.
	CustomRetriable *regexp.Regexp
	// RetryWait is retriable.restart.connector.wait.ms when set: the wait
	// before each retry of a transient failure, as Debezium waits before
	// restarting its task. 0 (unset): Sluice's backoff, 1 s doubling up to
	// 30 s, reset on progress.
	RetryWait time.Duration
	// ConversionThreads is sluice.conversion.threads, default 1: the
	// goroutines that build, transform and convert a batch's records
	// (connector/workers.go).
	ConversionThreads   int
	MaxQueueSizeInBytes int64         // max.queue.size.in.bytes, default 0 (unbounded)
	PollInterval        time.Duration // poll.interval.ms, default 500ms
	OffsetFlushInterval time.Duration // offset.flush.interval.ms, default 60s (Kafka Connect's)
	OffsetFlushTimeout  time.Duration // offset.flush.timeout.ms, default 5s

	// TopicCreation are Kafka Connect's topic creation groups for the
	// topics Sluice creates: topic.creation.groups in order, then the
	// default group (topic.creation.default.*), which takes the others.
	TopicCreation []TopicGroup

	ConnectTimeout    time.Duration // connect.timeout.ms, default 30s
	QueryTimeout      time.Duration // database.query.timeout.ms, default 10 min, 0 = no limit
	KeepAlive         bool          // connect.keep.alive, default true
	KeepAliveInterval time.Duration // connect.keep.alive.interval.ms, default 60s
	HeartbeatInterval time.Duration // heartbeat.interval.ms, default 0 (off)
	// SnapshotIncludeList is snapshot.include.collection.list: the
	// captured tables whose rows a snapshot reads (none: all of them).
	SnapshotIncludeList []string
	snapshotFilter      *nameFilter
	// SnapshotOrder is snapshot.tables.order.by.row.count: disabled
	// (by name), ascending or descending (by estimated rows).
	SnapshotOrder string
	// SnapshotSelects are snapshot.select.statement.overrides: "db.table"
	// -> the SELECT the snapshot reads it with.
	SnapshotSelects map[string]string
	// SnapshotDelay and StreamingDelay are snapshot.delay.ms and
	// streaming.delay.ms, default 0: waits before a snapshot and before
	// streaming.
	SnapshotDelay, StreamingDelay time.Duration
	// SkipPositionCheck is internal.log.position.check.enable=false
	// (Debezium's internal property; Field.createInternal adds the
	// prefix): a start does
	// not ask the server whether it still has the stored position.
	SkipPositionCheck bool
	// HeartbeatActionQuery is heartbeat.action.query: a statement run on
	// the source database with every heartbeat record ("": none).
	HeartbeatActionQuery string
	// InitialStatements is database.initial.statements, split as Debezium
	// splits it: run on each SQL connection a binlog connector opens (not
	// its binlog connection).
	InitialStatements []string
	// HeartbeatTopic is topic.heartbeat.prefix (default
	// "__debezium-heartbeat"), topic.delimiter and topic.prefix.
	HeartbeatTopic string
	// ProvideTransactionMetadata is provide.transaction.metadata: BEGIN and
	// END records on TransactionTopic (topic.prefix, topic.delimiter and
	// topic.transaction, default "<prefix>.transaction") and the envelope's
	// transaction block.
	ProvideTransactionMetadata bool
	TransactionTopic           string
	// ExactlyOnceRequired is exactly.once.support=required: the connector
	// runs exactly once (Kafka transactions), as it does under a worker
	// with exactly.once.source.support=enabled (Worker.ExactlyOnceSource).
	ExactlyOnceRequired bool
	// TransactionBoundary is transaction.boundary, poll (the default) or
	// interval, and TransactionBoundaryInterval its
	// transaction.boundary.interval.ms (0 when not set: the offset flush
	// interval).
	TransactionBoundary         string
	TransactionBoundaryInterval time.Duration

	SnapshotMode string // snapshot.mode, default "initial"; configuration_based as the named mode it runs as
	// SnapshotConfigured is "configuration_based" when snapshot.mode said
	// so ("" otherwise), and SnapshotNoStream its start.stream=false: the
	// snapshot of every start, then nothing more (SnapshotMode "always").
	SnapshotConfigured  string
	SnapshotNoStream    bool
	SnapshotLockingMode string // snapshot.locking.mode, default "minimal"
	SnapshotMaxThreads  int    // snapshot.max.threads, default 1
	// SnapshotLockTimeout is snapshot.lock.timeout.ms (default 10 s): how
	// long a snapshot waits for a lock (Debezium's lock_wait_timeout).
	SnapshotLockTimeout time.Duration
	// SnapshotRangeRows is sluice.snapshot.range.rows: the rows of each
	// primary-key range a table is read in (DefaultSnapshotRangeRows).
	SnapshotRangeRows int
	// SnapshotFetchSize is snapshot.fetch.size; 0 (the default) means the
	// connector's own choice: Debezium's MySQL connector streams rows one at
	// a time rather than fetching a fixed number.
	SnapshotFetchSize int

	IncludeSchemaChanges               bool   // include.schema.changes, default true
	DecimalHandlingMode                string // decimal.handling.mode, default "precise"
	BigIntUnsignedHandlingMode         string // bigint.unsigned.handling.mode, default "long"
	TimePrecisionMode                  string // time.precision.mode, default "adaptive_time_microseconds"
	BinaryHandlingMode                 string // binary.handling.mode, default "bytes"
	EventProcessingFailureHandlingMode string // event.processing.failure.handling.mode, default "fail"
	InconsistentSchemaHandlingMode     string // inconsistent.schema.handling.mode, default "fail"

	KeyConverter   ConverterConfig // key.converter and key.converter.*
	ValueConverter ConverterConfig // value.converter and value.converter.*

	// Raw is every property of the file's config object, values normalised
	// to strings as Kafka Connect does, including the ones Sluice accepts but
	// does not act on (transforms, schema.history.internal.*, ...).
	Raw Properties

	dbFilter    *nameFilter
	tableFilter *nameFilter
}

// builtinDatabases are the MySQL/MariaDB system databases Debezium skips
// while table.ignore.builtin is true (BinlogConnectorConfig.BUILT_IN_DB_NAMES).
var builtinDatabases = []string{"mysql", "performance_schema", "sys", "information_schema"}

// DatabaseIncluded reports whether database.include.list or
// database.exclude.list lets db through. Names match case-insensitively and
// each pattern must match the whole name.
func (c *Connector) DatabaseIncluded(db string) bool { return c.dbFilter.allows(db) }

// TableIncluded reports whether changes to db.table are captured: the
// database filter must let db through, the table filter (patterns matched
// against "db.table") must let the table through, and, while
// table.ignore.builtin is true, db must not be a system database.
func (c *Connector) TableIncluded(db, table string) bool {
	if c.TableIgnoreBuiltin && slices.Contains(builtinDatabases, strings.ToLower(db)) {
		return false
	}
	return c.dbFilter.allows(db) && c.tableFilter.allows(db+"."+table)
}

// CaptureOrder orders captured table names ("db.table") as Debezium 3.5
// lists a finished initial snapshot's tables: table.include.list's
// patterns in their order, each pattern's tables sorted, each table once;
// without an include list (or with an exclude list), all sorted. (Its
// signal.data.collection patterns come last, but only over tables the
// include list already holds.)
func (c *Connector) CaptureOrder(names []string) []string {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	f := c.tableFilter
	if f == nil || !f.include {
		return sorted
	}
	out := make([]string, 0, len(names))
	listed := make(map[string]bool, len(names))
	for _, p := range f.patterns {
		for _, n := range sorted {
			if !listed[n] && p.MatchString(n) {
				listed[n] = true
				out = append(out, n)
			}
		}
	}
	for _, n := range sorted { // none: only captured tables are passed
		if !listed[n] {
			out = append(out, n)
		}
	}
	return out
}

// SnapshotTableIncluded reports whether a snapshot reads the rows of a
// captured table (snapshot.include.collection.list).
func (c *Connector) SnapshotTableIncluded(db, table string) bool {
	return c.snapshotFilter.allows(db + "." + table)
}

// RandomServerIDs are Debezium 1.x's default database.server.id range,
// 5400 to 6399: a random id is drawn from it (randomServerID, and again by
// a stream whose random id another replica took).
const RandomServerIDLow, RandomServerIDCount = 5400, 1000

// randomServerID draws a random id of the range. A variable so tests can
// pin it.
var randomServerID = func() uint32 { return RandomServerIDLow + uint32(rand.IntN(RandomServerIDCount)) }

// LoadConnector reads and validates one connector file. See ParseConnector.
func LoadConnector(path string) (*Connector, []Warning, error) {
	return LoadConnectorWith(path, Providers{})
}

// LoadConnectorWith is LoadConnector resolving the values' config provider
// variables (${file:...}, ${env:...}) with the worker's providers, as Kafka
// Connect does before a connector sees its configuration.
func LoadConnectorWith(path string, p Providers) (*Connector, []Warning, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, nil, Errors{{Scope: path, Msg: "cannot read the connector file: " + err.Error()}}
	}
	return parseConnector(data, path, p)
}

// ParseConnector validates a connector file's content. source names it in
// messages until the connector's name is known.
//
// The file is Kafka Connect's REST shape, {"name":…,"config":{…}}; the flat
// config object alone (what PUT /connectors/<name>/config takes, with its
// "name" property) is accepted too. Config values may be JSON strings,
// numbers or booleans and are normalised to strings; null leaves a property
// unset.
//
// On success the error is nil. Otherwise it is an Errors value listing every
// problem found and the *Connector is nil. Warnings are returned either way.
func ParseConnector(data []byte, source string) (*Connector, []Warning, error) {
	return parseConnector(data, source, Providers{})
}

// ParseConnectorWith is ParseConnector resolving ${provider:path:key}
// references with the worker's config providers.
func ParseConnectorWith(data []byte, source string, p Providers) (*Connector, []Warning, error) {
	return parseConnector(data, source, p)
}

func parseConnector(data []byte, source string, p Providers) (*Connector, []Warning, error) {
	f, warns, err := decodeConnectorFile(data, source)
	if err != nil {
		return nil, warns, err
	}
	c, w, errs := buildConnector(f, source, p)
	warns = append(warns, w...)
	if len(errs) > 0 {
		return nil, warns, errs
	}
	return c, warns, nil
}

// connectorFile is the decoded JSON before validation.
type connectorFile struct {
	name     string
	hasName  bool
	vals     map[string]string
	problems []*Error // per-property JSON type problems, reported with the connector's scope
	dups     []string // keys given more than once
}

func decodeConnectorFile(data []byte, source string) (*connectorFile, []Warning, error) {
	fail := func(msg string) (*connectorFile, []Warning, error) {
		return nil, nil, Errors{{Scope: source, Msg: msg}}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(data, se.Offset)
			return fail(fmt.Sprintf("invalid JSON at line %d, column %d: %v", line, col, se))
		case errors.As(err, &te):
			return fail(`the file is not a JSON object; expected {"name": "...", "config": {...}}`)
		default:
			return fail("invalid JSON: " + err.Error())
		}
	}
	if top == nil {
		return fail(`the file is not a JSON object; expected {"name": "...", "config": {...}}`)
	}
	f := &connectorFile{}
	var warns []Warning
	cfgRaw, wrapped := top["config"]
	if wrapped {
		if raw, ok := top["name"]; ok {
			if err := json.Unmarshal(raw, &f.name); err != nil {
				return fail(`"name" is not a JSON string`)
			}
			f.hasName = true
		}
		for k := range top {
			switch k {
			case "name", "config", "tasks", "type":
				// tasks and type are what GET /connectors/<name> adds.
			default:
				warns = append(warns, Warning{Scope: source, Msg: fmt.Sprintf("field %q next to \"config\" is not known to Sluice and is ignored", k)})
			}
		}
	} else {
		if _, ok := top["connector.class"]; !ok {
			return fail(`the file has no "config" object; expected {"name": "...", "config": {"connector.class": ...}}`)
		}
		cfgRaw = json.RawMessage(data)
	}
	vals, problems, dups, err := decodeConfigObject(cfgRaw)
	if err != nil {
		return fail(err.Error())
	}
	f.vals, f.problems = vals, problems
	if cn, ok := vals["name"]; ok {
		switch {
		case !f.hasName:
			f.name, f.hasName = cn, true
		case cn != f.name:
			f.problems = append(f.problems, &Error{Key: "name", Value: cn,
				Msg: fmt.Sprintf("differs from the connector's name %q; remove it or make the two equal", f.name)})
		}
	}
	f.dups = dups
	return f, warns, nil
}

// decodeConfigObject reads a flat JSON object of primitives, normalising
// values to strings as Kafka Connect does, and reports duplicated keys.
func decodeConfigObject(raw json.RawMessage) (vals map[string]string, problems []*Error, dups []string, err error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("invalid JSON in \"config\": %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, nil, errors.New(`"config" is not a JSON object of properties`)
	}
	vals = make(map[string]string)
	seen := make(map[string]bool)
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("invalid JSON in \"config\": %v", err)
		}
		key := kt.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, nil, fmt.Errorf("invalid JSON in \"config\" at property %q: %v", key, err)
		}
		if seen[key] && !slices.Contains(dups, key) {
			dups = append(dups, key)
		}
		seen[key] = true
		v = bytes.TrimSpace(v)
		switch v[0] {
		case '"':
			var s string
			_ = json.Unmarshal(v, &s)
			vals[key] = s
		case 'n':
			delete(vals, key) // null: unset
		case '{', '[':
			kind := "an object"
			if v[0] == '[' {
				kind = "an array"
			}
			delete(vals, key)
			problems = append(problems, &Error{Key: key, Msg: "is " + kind + "; use a string, number or boolean"})
		default: // number, true, false: their JSON text is the string form
			vals[key] = string(v)
		}
	}
	return vals, problems, dups, nil
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

var topicPrefixPattern = regexp.MustCompile(`^[a-zA-Z0-9_.\-]+$`)

func buildConnector(f *connectorFile, source string, p Providers) (*Connector, []Warning, Errors) {
	r := connectorReader(f, source)
	p.resolveAll(f.vals, r.fail)
	c := &Connector{Name: f.name, Source: source, Raw: Properties(f.vals)}
	r.class(c)
	vd := vitessDefaults(c.Flavor, r)
	r.connection(c, vd)
	r.topicPrefix(c)
	r.metadataTopics(c)
	r.queue(c)
	r.snapshot(c)
	r.eventShape(c, vd)
	c.KeyConverter = r.converter("key.converter")
	c.ValueConverter = r.converter("value.converter")
	r.clientOverrides()
	r.unimplemented(c)
	r.unknownKeys(connectorKnownIgnored, connectorRenamed)
	return c, r.warns, r.errs
}

// clientOverrides warns about Kafka Connect's per-connector client
// overrides: a worker's connectors share one producer, so a connector's
// own producer.override.compression.type (say) would otherwise be dropped
// without a word, and its records go out uncompressed.
func (r *reader) clientOverrides() {
	for _, k := range slices.Sorted(maps.Keys(r.vals)) {
		setting, ok := strings.CutPrefix(k, "producer.override.")
		switch {
		case ok && slices.Contains(ProducerSettings, setting):
			r.warn(k, fmt.Sprintf("is ignored: Sluice's connectors share the worker's one producer; set %q in the worker properties (or %s), which applies to every connector", "producer."+setting, EnvName("producer."+setting)))
		case ok:
			r.warn(k, fmt.Sprintf("is ignored: Sluice's connectors share the worker's one producer, which takes only %s from the worker properties", appliedProducerSettings()))
		case strings.HasPrefix(k, "consumer.override.") || strings.HasPrefix(k, "admin.override."):
			r.warn(k, "is ignored: Sluice's Kafka clients are the worker's, shared by its connectors")
		case historyClientSetting.MatchString(k):
			s := historyClientSetting.FindStringSubmatch(k)[1]
			r.warn(k, fmt.Sprintf("is ignored: the schema history store connects with the worker's Kafka settings; set %q in the worker properties (or %s)", s, EnvName(s)))
		case signalClientSetting.MatchString(k):
			s := signalClientSetting.FindStringSubmatch(k)[1]
			r.warn(k, fmt.Sprintf("is ignored: the Kafka signal channel connects with the worker's Kafka settings; set %q in the worker properties (or %s)", s, EnvName(s)))
		case strings.HasPrefix(k, "signal.consumer."):
			r.warn(k, "is ignored: the Kafka signal channel's consumer takes only the worker's Kafka settings (and signal.kafka.bootstrap.servers, signal.kafka.groupId)")
		default:
			continue
		}
		r.used[k] = true
	}
}

// historyClientSetting matches Debezium's TLS and SASL settings of the
// schema history's Kafka clients (the setting is the first group).
var historyClientSetting = regexp.MustCompile(`^(?:schema\.history\.internal|database\.history)\.(?:producer|consumer)\.((?:security\.protocol|sasl\..+|ssl\..+))$`)

// signalClientSetting matches the same settings of the Kafka signal
// channel's consumer (Debezium's signal.consumer.*).
var signalClientSetting = regexp.MustCompile(`^signal\.consumer\.((?:security\.protocol|sasl\..+|ssl\..+))$`)

// connectorReader starts reading a connector file: its name, and the
// problems found while decoding it.
func connectorReader(f *connectorFile, source string) *reader {
	scope := source
	nameOK := f.hasName && strings.TrimSpace(f.name) != "" && !strings.ContainsFunc(f.name, unicode.IsControl)
	if nameOK {
		scope = "connector " + f.name
	}
	r := newReader(scope, f.vals)
	r.used["name"] = true
	if !f.hasName || strings.TrimSpace(f.name) == "" {
		r.errs = append(r.errs, &Error{Scope: scope, Msg: `the connector has no name; add "name": "<connector name>" next to "config"`})
	} else if !nameOK {
		r.errs = append(r.errs, &Error{Scope: scope, Key: "name", Value: f.name, Msg: "has control characters; use a plain name"})
	}
	for _, d := range f.dups {
		r.warn(d, "appears more than once; the last value is used")
	}
	for _, p := range f.problems {
		p.Scope = scope
		r.errs = append(r.errs, p)
		r.used[p.Key] = true
	}

	return r
}

// class reads connector.class, which decides the flavor.
func (r *reader) class(c *Connector) {
	c.Class = r.str("connector.class", "")
	switch c.Class {
	case MySQLConnectorClass:
		c.Flavor = FlavorMySQL
	case MariaDBConnectorClass:
		c.Flavor = FlavorMariaDB
	case VitessConnectorClass:
		c.Flavor = FlavorVitess
	case "":
		r.fail("connector.class", "", "is required; set it to "+MySQLConnectorClass+", "+MariaDBConnectorClass+" or "+VitessConnectorClass)
	default:
		r.fail("connector.class", c.Class, "is not a connector Sluice can run; use "+MySQLConnectorClass+", "+MariaDBConnectorClass+" or "+VitessConnectorClass)
	}
}

// connection reads how to reach and identify with the server.
func (r *reader) connection(c *Connector, vd flavorDefaults) {
	server := "MySQL"
	if c.Flavor == FlavorMariaDB {
		server = "MariaDB"
	}
	c.Hostname = r.required("database.hostname", "the host name or IP address of the "+server+" server")
	c.Port = int(r.integer("database.port", vd.port, intRule{min: 1, max: 65535, form: "an integer from 1 to 65535"}))
	if vd.vitess {
		c.User = r.str("database.user", "") // VTGate may run without static auth
	} else {
		c.User = r.required("database.user", "the "+server+" user Sluice connects as")
	}
	if pw, ok := r.lookup("database.password"); ok {
		c.Password = Secret(pw) // never trimmed: blanks may be part of it
	}
	if vd.vitess {
		// VStream has no replica identity: no database.server.id.
	} else if id, ok := r.intOpt("database.server.id", intRule{min: 1, max: math.MaxUint32,
		form: "an integer from 1 to 4294967295, unique among the servers and replicas of the cluster",
		def:  "a random number from 5400 to 6399"}); ok {
		c.ServerID = uint32(id)
	} else if _, given := r.vals["database.server.id"]; !given {
		c.ServerID, c.ServerIDRandom = randomServerID(), true
		r.warn("database.server.id", fmt.Sprintf("is not set; using the random id %d for this run (Debezium 2.0 and later require it); set it so every restart uses the same id", c.ServerID))
	}

	if !vd.vitess {
		r.databaseTLS(c)
	}

	// Connection upkeep.
	c.ConnectTimeout = r.millis("connect.timeout.ms", 30*time.Second, false)
	c.QueryTimeout = r.millis("database.query.timeout.ms", 10*time.Minute, true)
	c.KeepAlive = r.boolean("connect.keep.alive", true)
	c.KeepAliveInterval = r.millis("connect.keep.alive.interval.ms", 60*time.Second, false)
	c.HeartbeatInterval = r.millis("heartbeat.interval.ms", 0, true)
	c.SnapshotDelay = r.millis("snapshot.delay.ms", 0, true)
	c.SnapshotSelects = r.selectOverrides()
	c.StreamingDelay = r.millis("streaming.delay.ms", 0, true)
	c.SkipPositionCheck = !r.boolean("internal.log.position.check.enable", true)
}

// topicPrefix reads topic.prefix and the filters of what is captured.
func (r *reader) topicPrefix(c *Connector) {
	prefix, prefixSet := r.lookup("topic.prefix")
	c.TopicPrefix = strings.TrimSpace(prefix)
	switch {
	case c.TopicPrefix == "":
		msg := "is required; set it to the logical name of the server, the prefix of every topic name (letters, digits, '.', '_' and '-')"
		if old, ok := r.vals["database.server.name"]; ok {
			r.used["database.server.name"] = true
			msg = fmt.Sprintf("is required; Debezium 2.0 replaced database.server.name (here %q) with topic.prefix, so rename it", old)
		}
		if prefixSet {
			r.fail("topic.prefix", "", strings.Replace(msg, "is required", "is empty", 1))
		} else {
			r.fail("topic.prefix", "", msg)
		}
	case !topicPrefixPattern.MatchString(c.TopicPrefix):
		r.fail("topic.prefix", prefix, "has characters other than letters, digits, '.', '_' and '-'; use only those (the prefix starts every topic name)")
	case len(c.TopicPrefix) > 249:
		r.fail("topic.prefix", prefix, "is longer than 249 characters, Kafka's limit for a whole topic name; use a shorter prefix")
	}
	if _, ok := r.vals["database.server.name"]; ok && !r.used["database.server.name"] {
		r.used["database.server.name"] = true
		r.warn("database.server.name", "was replaced by topic.prefix in Debezium 2.0 and is ignored")
	}

	// Filters.
	c.DatabaseIncludeList, c.dbFilter = r.filterPair("database.include.list", "database.exclude.list", "database names", &c.DatabaseExcludeList)
	c.TableIncludeList, c.tableFilter = r.filterPair("table.include.list", "table.exclude.list", "fully-qualified table names (db.table)", &c.TableExcludeList)
	c.TableIgnoreBuiltin = r.boolean("table.ignore.builtin", true)

}

// Sluice's queue defaults are a quarter of Debezium's (8192 and 2048): the
// queued rows are what the collector scans over and over within Sluice's
// soft memory limit (then 128 MiB), and with 40-column rows and JSON schemas the
// smaller queue and batches cut the daemon's CPU per row by a third (32-37
// to 22-24 µs) and lowered peak RSS on narrow rows, with the same rows/s
// (sluice-bench suite, three alternating runs; README). A max.batch.size
// set alone gets a queue twice its size.
const (
	DefaultMaxQueueSize = 2048
	DefaultMaxBatchSize = 1024
)

// DefaultSnapshotRangeRows is the default of sluice.snapshot.range.rows.
// Each range ends with a wait for Kafka and a stored offset (which drains the
// pipeline) and, on MariaDB, starts with a BINLOG_GTID_POS lookup unless no
// write came since the last range's. Larger ranges mean fewer of both; what
// they cost is paid after a crash: the range in doubt is read and sent
// again, and its keys held (8 bytes each) until the stream catches up.
// 200,000 measured no faster than 50,000 once that lookup was remembered.
const DefaultSnapshotRangeRows = 50_000

// MaxConversionThreads bounds sluice.conversion.threads: more than the
// cores of a large machine only adds goroutines.
const MaxConversionThreads = 64

// queue reads the queue, batching and offset settings.
func (r *reader) queue(c *Connector) {
	c.TombstonesOnDelete = r.boolean("tombstones.on.delete", true)
	c.SkipUnchanged = r.boolean("skip.messages.without.change", false)
	c.IncludeSchemaComments = r.boolean("include.schema.comments", false)
	c.IncludeQuery = r.boolean("include.query", false)
	c.MaxBatchSize = int(r.integer("max.batch.size", DefaultMaxBatchSize, positive(math.MaxInt32)))
	c.MaxQueueSize = int(r.integer("max.queue.size", int64(max(DefaultMaxQueueSize, 2*c.MaxBatchSize)), positive(math.MaxInt32)))
	if c.MaxQueueSize <= c.MaxBatchSize && !r.hasErr("max.queue.size") && !r.hasErr("max.batch.size") {
		r.fail("max.queue.size", fmt.Sprint(c.MaxQueueSize), fmt.Sprintf("must be larger than max.batch.size (%d); raise max.queue.size or lower max.batch.size", c.MaxBatchSize))
	}
	c.ConversionThreads = int(r.integer("sluice.conversion.threads", 1, positive(MaxConversionThreads)))
	if v := r.str("custom.retriable.exception", ""); v != "" {
		// Java's String.matches: the whole message, case-sensitive.
		var err error
		if hint := javaOnlySyntax(v); hint != "" {
			err = errors.New(hint)
		} else {
			c.CustomRetriable, err = regexp.Compile(`^(?:` + v + `)$`)
		}
		if err != nil {
			r.fail("custom.retriable.exception", v, fmt.Sprintf("is a pattern Sluice cannot use (%v); %s", err, javaRegexHint))
		}
	}
	if _, ok := r.lookup("retriable.restart.connector.wait.ms"); ok {
		c.RetryWait = r.millis("retriable.restart.connector.wait.ms", 10*time.Second, false)
	}
	c.ErrorsMaxRetries = int(r.integer("errors.max.retries", -1, intRule{min: -1, max: math.MaxInt32,
		form: "-1 (retry without limit), 0 (fail at the first error) or a number of retries", def: "-1"}))
	c.MaxQueueSizeInBytes = r.integer("max.queue.size.in.bytes", 0, intRule{min: 0, max: math.MaxInt64, form: "a non-negative number of bytes (0 = unbounded)"})
	c.PollInterval = r.millis("poll.interval.ms", 500*time.Millisecond, false)
	c.OffsetFlushInterval = r.millis("offset.flush.interval.ms", 60*time.Second, false)
	c.OffsetFlushTimeout = r.millis("offset.flush.timeout.ms", 5*time.Second, false)
	r.topicCreation(c)

}

// snapshot reads the snapshot settings.
func (r *reader) snapshot(c *Connector) {
	c.SnapshotMode = r.enum("snapshot.mode", enumRule{def: SnapshotInitial, allowed: []string{
		SnapshotInitial, SnapshotInitialOnly, SnapshotWhenNeeded, SnapshotNever, SnapshotNoData, SnapshotSchemaOnly,
		SnapshotRecovery, SnapshotSchemaOnlyRecovery, SnapshotAlways, SnapshotConfigurationBased},
		// Accepted, this ran as initial: refused now, with what to use.
		unsupported: map[string]string{
			SnapshotCustom: "Sluice cannot load the Java snapshotter class snapshot.mode.custom.name names",
		}})
	if c.SnapshotMode == SnapshotConfigurationBased {
		r.configurationBased(c)
	}
	locking := enumRule{def: LockingMinimal, allowed: []string{LockingMinimal, LockingExtended, LockingNone, LockingMinimalPercona},
		unsupported: map[string]string{
			"minimal_percona_no_table_locks": "only the four modes listed are implemented",
			"minimal_at_least_once":          "only the four modes listed are implemented",
			"custom":                         "Sluice cannot load Java locking-mode plugins",
		}}
	if c.Flavor == FlavorMariaDB {
		// Debezium's MariaDB connector has no Percona modes.
		locking.allowed = []string{LockingMinimal, LockingExtended, LockingNone}
		locking.unsupported = map[string]string{
			LockingMinimalPercona: "it is a MySQL-connector mode; Debezium's MariaDB connector does not have it",
			"custom":              "Sluice cannot load Java locking-mode plugins",
		}
	}
	c.SnapshotLockingMode = r.enum("snapshot.locking.mode", locking)
	c.SnapshotMaxThreads = int(r.integer("snapshot.max.threads", 1, positive(math.MaxInt32)))
	c.SnapshotLockTimeout = r.millis("snapshot.lock.timeout.ms", 10*time.Second, true)
	c.SnapshotRangeRows = int(r.integer("sluice.snapshot.range.rows", DefaultSnapshotRangeRows, positive(math.MaxInt32)))
	r.chunkMultipliers()
	c.SnapshotFetchSize = int(r.integer("snapshot.fetch.size", 0, intRule{min: 0, max: math.MaxInt32,
		form: "a non-negative integer", def: "unset: rows are streamed"}))
	c.SnapshotIncludeList, c.snapshotFilter = r.filterList("snapshot.include.collection.list", true)
	c.SnapshotOrder = r.enum("snapshot.tables.order.by.row.count", enumRule{def: "disabled",
		allowed: []string{"disabled", "ascending", "descending"}})

}

// configurationBased reads snapshot.mode=configuration_based's switches.
// Debezium's ConfigurationBasedSnapshotter answers each of its snapshotter's
// questions with one switch, whatever offset is stored, so its
// combinations behave as a named mode or not at all: data and schema at
// every start are always (start.stream=false: always without streaming,
// which no named mode is), neither is never. The others are refused:
// schema alone at every start streams from the new snapshot's position,
// skipping the changes since the stored offset; data without schema leaves
// the snapshot's tables out of the schema history, which Sluice keeps.
// SnapshotMode becomes the named mode; SnapshotConfigured keeps what was
// written, for the log.
func (r *reader) configurationBased(c *Connector) {
	const p = "snapshot.mode.configuration.based."
	data := r.boolean(p+"snapshot.data", false)
	schema := r.boolean(p+"snapshot.schema", false)
	stream := r.boolean(p+"start.stream", false)
	onSchemaErr := r.boolean(p+"snapshot.on.schema.error", false)
	onDataErr := r.boolean(p+"snapshot.on.data.error", false)
	c.SnapshotConfigured = SnapshotConfigurationBased
	why := ""
	switch {
	case c.Flavor == FlavorVitess:
		why = "Sluice's Vitess source has initial, never and when_needed"
	case data && schema:
		// Every start snapshots anyway: a lost stored position or schema
		// history is replaced, whatever the two error switches say.
		c.SnapshotMode, c.SnapshotNoStream = SnapshotAlways, !stream
		return
	case data:
		why = p + "snapshot.data=true needs " + p + "snapshot.schema=true: Sluice records every snapshot's tables in the schema history"
	case schema:
		why = p + "snapshot.schema=true alone takes a structure snapshot at every start and streams from its position, skipping the changes since the stored offset; use snapshot.mode=no_data (a structure snapshot without a stored offset only) or recovery"
	case !stream:
		why = "with " + p + "snapshot.data, snapshot.schema and start.stream all false the connector reads nothing; set one of them to true"
	case onSchemaErr || onDataErr:
		why = p + "snapshot.on.schema.error and " + p + "snapshot.on.data.error are only read with a snapshot switch on; use snapshot.mode=when_needed for a snapshot when the stored position is gone, or recovery for a lost schema history"
	default:
		c.SnapshotMode = SnapshotNever // start.stream alone
		return
	}
	r.fail("snapshot.mode", SnapshotConfigurationBased, "is not supported by Sluice with these switches: "+why)
	c.SnapshotMode = SnapshotInitial
}

// chunkMultipliers warns about snapshot.max.threads.multiplier (and its
// per-table snapshot.max.threads.multiplier.<db.table>) at another value
// than 1: Debezium 3.5 splits a table into snapshot.max.threads times that
// many chunks, where Sluice reads ranges of a number of rows, so that a
// crash costs one range; accepted without a word, the setting looked read.
func (r *reader) chunkMultipliers() {
	const key = "snapshot.max.threads.multiplier"
	for _, k := range slices.Sorted(maps.Keys(r.vals)) {
		if k != key && !strings.HasPrefix(k, key+".") {
			continue
		}
		if n := r.integer(k, 1, positive(math.MaxInt32)); n != 1 {
			r.warn(k, "is not read: Debezium splits each table into snapshot.max.threads times this many chunks; Sluice reads each table in ranges of sluice.snapshot.range.rows rows (50000 by default), set that instead")
		}
	}
}

// eventShape reads how values are represented in the records.
func (r *reader) eventShape(c *Connector, vd flavorDefaults) {
	c.IncludeSchemaChanges = r.boolean("include.schema.changes", !vd.vitess)
	c.DecimalHandlingMode = r.enum("decimal.handling.mode", enumRule{def: DecimalPrecise, allowed: []string{DecimalPrecise, DecimalDouble, DecimalString}})
	c.BigIntUnsignedHandlingMode = r.enum("bigint.unsigned.handling.mode", vd.bigint)
	c.TimePrecisionMode = r.enum("time.precision.mode", enumRule{def: TimeAdaptiveTimeMicroseconds,
		allowed: []string{TimeAdaptiveTimeMicroseconds, TimeConnect},
		unsupported: map[string]string{
			"adaptive":     "Debezium's MySQL and MariaDB connectors reject it too",
			"isostring":    "not implemented yet",
			"microseconds": "not implemented yet",
			"nanoseconds":  "not implemented yet",
			"structured":   "not implemented yet",
		}})
	c.BinaryHandlingMode = r.enum("binary.handling.mode", enumRule{def: BinaryBytes, allowed: []string{BinaryBytes, BinaryBase64, BinaryBase64URLSafe, BinaryHex}})
	failure := enumRule{def: FailureFail, allowed: []string{FailureFail, FailureWarn, FailureSkip}, aliases: map[string]string{"ignore": FailureSkip}}
	c.EventProcessingFailureHandlingMode = r.enum("event.processing.failure.handling.mode", failure)
	c.InconsistentSchemaHandlingMode = r.enum("inconsistent.schema.handling.mode", failure)

}

// flavorDefaults are the common properties whose default or allowed values
// differ between Debezium's Vitess connector and its MySQL ones.
type flavorDefaults struct {
	vitess bool
	port   int64
	bigint enumRule
}

// vitessKnown are the Vitess connector's own properties Sluice reads
// (connector/vitess parses and checks them from Raw) or checks
// (vitessDefaultOnly); any other vitess.* property draws the unknown
// property warning.
var vitessKnown = map[string]bool{
	"vitess.keyspace": true, "vitess.shard": true, "vitess.tablet.type": true, "vitess.vgtid": true,
	"vitess.keepalive.interval.ms": true, "vitess.grpc.max_inbound_message_size": true, "vitess.stop_on_reshard": true,
	"vitess.grpc.headers": true, "vitess.transaction.chunk.size": true, "vitess.offset.storage.per.task": true,
	"vitess.offset.storage.task.key.gen": true, "vitess.prev.num.tasks": true,
}

// vitessDefaults returns the defaults for flavor f; for Vitess it also marks
// the vitess.* properties Sluice reads as used.
func vitessDefaults(f Flavor, r *reader) flavorDefaults {
	d := flavorDefaults{port: 3306, bigint: enumRule{def: BigIntUnsignedLong, allowed: []string{BigIntUnsignedLong, BigIntUnsignedPrecise}}}
	if f != FlavorVitess {
		return d
	}
	for k := range r.vals {
		if vitessKnown[k] {
			r.used[k] = true
		}
	}
	// VTGate's gRPC port; Debezium Vitess's unsigned BIGINT default is string.
	d.vitess, d.port = true, 15991
	d.bigint = enumRule{def: BigIntUnsignedString, allowed: []string{BigIntUnsignedString, BigIntUnsignedLong, BigIntUnsignedPrecise}}
	return d
}

func (r *reader) hasErr(key string) bool {
	for _, e := range r.errs {
		if e.Key == key {
			return true
		}
	}
	return false
}

// filterPair reads an include list and its exclude list, which must not both
// be set, and returns the include patterns and the compiled filter; the
// exclude patterns go to *excl.
func (r *reader) filterPair(inclKey, exclKey, what string, excl *[]string) ([]string, *nameFilter) {
	incl, inclF := r.filterList(inclKey, true)
	ex, exF := r.filterList(exclKey, false)
	*excl = ex
	if inclF != nil && exF != nil {
		r.fail(exclKey, r.vals[exclKey], fmt.Sprintf("cannot be used together with %s; set only one of them", inclKey))
		return incl, inclF
	}
	if inclF != nil {
		return incl, inclF
	}
	return incl, exF
}

// filterList reads one comma-separated list of regular expressions. A blank
// value is the same as no value, as in Debezium.
func (r *reader) filterList(key string, include bool) ([]string, *nameFilter) {
	raw, ok := r.lookup(key)
	if !ok || strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	parts, err := splitRegexList(raw)
	if err != nil {
		r.fail(key, raw, err.Error()+"; end each escape with the character it escapes")
		return nil, nil
	}
	f := &nameFilter{include: include}
	bad := false
	for _, p := range parts {
		re, err := compileJavaRegex(p)
		if err != nil {
			if len(parts) == 1 && p == strings.TrimSpace(raw) {
				r.fail(key, raw, fmt.Sprintf("is a pattern Sluice cannot use (%v); %s", err, javaRegexHint))
			} else {
				r.fail(key, raw, fmt.Sprintf("has a pattern %q that Sluice cannot use (%v); %s", p, err, javaRegexHint))
			}
			bad = true
			continue
		}
		f.patterns = append(f.patterns, re)
	}
	if bad {
		return parts, nil
	}
	return parts, f
}

var converterClasses = []string{JSONConverterClass, ConfluentAvroConverterClass, ApicurioAvroConverterClass}

// converter reads <prefix> (key.converter or value.converter) and its
// <prefix>.* settings.
func (r *reader) converter(prefix string) ConverterConfig {
	_, set := r.vals[prefix]
	cc := ConverterConfig{Class: r.str(prefix, DefaultConverterClass), Set: set}
	if !slices.Contains(converterClasses, cc.Class) {
		r.fail(prefix, r.vals[prefix], "is not a converter Sluice supports; use one of "+strings.Join(converterClasses, ", ")+" (default "+DefaultConverterClass+")")
	}
	cc.SchemasEnable = r.boolean(prefix+"."+converterSchemasEnableSetting, true)
	cc.Props = Properties{}
	for k, v := range r.vals {
		if rest, ok := strings.CutPrefix(k, prefix+"."); ok && rest != converterSchemasEnableSetting {
			cc.Props[rest] = v
			r.used[k] = true
		}
	}
	if cc.Class == ApicurioAvroConverterClass {
		r.apicurioFraming(prefix, cc.Props)
	}
	if cc.IsAvro() && strings.TrimSpace(cc.RegistryURL()) == "" {
		alt := ""
		if cc.Class == ApicurioAvroConverterClass {
			alt = " (or " + prefix + "." + apicurioRegistryURLProperty + ")"
		}
		r.fail(prefix+"."+confluentRegistryURLProperty, "", fmt.Sprintf("is required when %s is %s%s; set it to the schema registry's URL (Apicurio's Confluent-compatible API: http://host:8080/apis/ccompat/v7)", prefix, cc.Class, alt))
	}
	return cc
}

// apicurioWire lists the settings under which Apicurio's AvroConverter
// writes what Sluice writes for its class: Confluent's framing (byte 0,
// a 4-byte id), the id being the content id that the registry's
// Confluent-compatible API serves, and no id headers. Apicurio's defaults
// differ (the 8-byte global id in record headers, no framing), and a
// consumer configured with them cannot read Sluice's records: the
// settings are a warning, not an error, since a consumer using Confluent's
// deserializer reads them either way.
var apicurioWire = [][2]string{
	{"apicurio.registry.as-confluent", "true"},
	{"apicurio.registry.use-id", "contentId"},
	{"apicurio.registry.headers.enabled", "false"},
}

func (r *reader) apicurioFraming(prefix string, props Properties) {
	var missing []string
	for _, kv := range apicurioWire {
		if !strings.EqualFold(strings.TrimSpace(props[kv[0]]), kv[1]) {
			missing = append(missing, prefix+"."+kv[0]+"="+kv[1])
		}
	}
	if len(missing) > 0 {
		r.warn(prefix, fmt.Sprintf("Sluice writes Confluent-framed records with the registry's content ids and no id headers for %s, which is what Apicurio's converter writes with %s; consumers using Apicurio's converter or deserializer need those settings too (its defaults expect the global id in record headers)", ApicurioAvroConverterClass, strings.Join(missing, ", ")))
	}
}

// connectorKnownIgnored lists properties that Debezium or Kafka Connect know
// and that Sluice accepts without acting on them (yet). They stay in Raw and
// draw no warning. An entry ending in "." or "*" is a prefix.
var connectorKnownIgnored = []string{
	// Kafka Connect connector-level settings. transforms, predicates and
	// errors.* are read by smt.Parse and connector.ParseErrorHandling, which
	// check them; listed here so they draw no unknown-property warning.
	"tasks.max", "config.action.reload", "header.converter", "header.converter.",
	"transforms", "transforms.", "predicates", "predicates.", "errors.",
	"topic.creation.", "exactly.once.support", "transaction.boundary", "transaction.boundary.interval.ms",
	"offsets.storage.topic", "producer.override.", "consumer.override.", "admin.override.",
	// Debezium: schema history, snapshots, signals, notifications.
	"schema.history.internal", "schema.history.internal.", "database.history", "database.history.",
	"snapshot.", "incremental.snapshot.", "read.only", "signal.", "notification.",
	// Debezium: connection details Sluice does not use.
	"database.ssl.", "database.connectionTimeZone", "database.initial.statements", "database.server.id.offset",
	"database.jdbc.driver", "database.protocol", "driver.",
	"use.nongraceful.disconnect", "binlog.buffer.size", "min.row.count.to.stream.results",
	"binlog.net.write.timeout", "binlog.net.read.timeout", "connection.validation.timeout.ms",
	"connector.adapter", "gtid.source.includes", "gtid.source.excludes", "gtid.source.filter.dml.events",
	"gtid.ignore.on.recovery", "enable.time.adjuster",
	"executor.shutdown.timeout.ms", "streaming.delay.ms", "poll.dispatch.interval.ms", "query.fetch.size",
	"queue.provider.type",
	// Debezium: event content and naming.
	"include.schema.comments", "include.query", "column.", "message.key.columns", "datatype.propagate.source.type",
	"provide.transaction.metadata", "transaction.metadata.factory", "heartbeat.", "skipped.operations",
	"skip.messages.without.change", "topic.naming.strategy", "topic.delimiter", "topic.heartbeat.prefix",
	"topic.transaction", "topic.cache.size", "topic.regex", "topic.replacement", "topic.key.", "override.data.change.topic.prefix", "override.data.change.topic.prefix.exclude.list", "override.schema.change.topic", "schema.name.adjustment.mode", "field.name.adjustment.mode",
	"sourceinfo.struct.maker", "converters", "post.processors", "unavailable.value.placeholder",
	"event.deserialization.failure.handling.mode", "event.converting.failure.handling.mode", "resolve.create.table.like.schema",
	"ddl.parser.type", "custom.metric.tags", "extended.headers.enabled", "statistics.metrics.enabled",
	// Sluice's own.
	"sluice.mariadb.json.as.json", "sluice.vitess.target",
	"internal.advanced.metrics.enable", "internal.legacy.snapshot.max.threads", "internal.snapshot.scan.all.columns.force",
	"openlineage.", "guardrail.", "custom.sanitize.pattern",
	// Kafka Connect 4.x: plugin versions (KIP-891) and tasks.max enforcement.
	"connector.plugin.version", "key.converter.plugin.version", "value.converter.plugin.version",
	"header.converter.plugin.version", "tasks.max.enforce",
}

// connectorRenamed maps Debezium 1.x property names that 2.0 renamed (and so
// ignores) to their new names.
var connectorRenamed = map[string]string{
	"database.whitelist": "database.include.list",
	"database.blacklist": "database.exclude.list",
	"table.whitelist":    "table.include.list",
	"table.blacklist":    "table.exclude.list",
	"column.whitelist":   "column.include.list",
	"column.blacklist":   "column.exclude.list",
}

func matchesKnown(key string, known []string) bool {
	for _, k := range known {
		if strings.HasSuffix(k, ".") {
			if strings.HasPrefix(key, k) {
				return true
			}
		} else if key == k {
			return true
		}
	}
	return false
}

// unknownKeys warns about every property not consumed and not known.
func (r *reader) unknownKeys(known []string, renamed map[string]string) {
	var typed []string
	for k := range r.used {
		typed = append(typed, k)
	}
	for _, k := range slices.Sorted(maps.Keys(r.vals)) {
		if r.used[k] {
			continue
		}
		if to, ok := renamed[k]; ok {
			r.warn(k, fmt.Sprintf("was renamed to %q in Debezium 2.0 and is ignored; rename it", to))
			continue
		}
		if slices.Contains(known, k) {
			continue
		}
		if matchesKnown(k, known) {
			// A known prefix (snapshot.*, heartbeat.*, ...) must not hide a
			// typo of a property Sluice acts on.
			if s := closest(k, typed); s != "" {
				r.warn(k, fmt.Sprintf("is ignored by Sluice; did you mean %q?", s))
			}
			continue
		}
		msg := "is not known to Sluice and is ignored"
		if s := closest(k, typed); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		r.warn(k, msg)
	}
}

// closest returns the candidate within edit distance 2 of key, if any.
func closest(key string, candidates []string) string {
	best, bestD := "", 3
	slices.Sort(candidates)
	for _, c := range candidates {
		if d := editDistance(key, c); d < bestD && c != key {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// selectOverrides reads snapshot.select.statement.overrides, as Debezium:
// the tables it lists ("db.table", comma-separated) are read by the SELECT
// under snapshot.select.statement.overrides.<db.table>. A listed table
// without one is an error; a statement for a table not listed is ignored
// with a warning, as Debezium ignores it.
func (r *reader) selectOverrides() map[string]string {
	const list = "snapshot.select.statement.overrides"
	out := map[string]string{}
	if v, ok := r.lookup(list); ok {
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t == "" {
				continue
			}
			q, ok := r.lookup(list + "." + t)
			if !ok || strings.TrimSpace(q) == "" {
				r.fail(list, v, fmt.Sprintf("names %s, but %s.%s holds no SELECT; set it or remove the table from the list", t, list, t))
				continue
			}
			out[t] = strings.TrimSpace(q)
		}
		r.used[list] = true
	}
	for _, k := range r.keysWithPrefix(list + ".") {
		r.used[k] = true
		if _, listed := out[strings.TrimPrefix(k, list+".")]; !listed {
			r.warn(k, fmt.Sprintf("is ignored: its table is not in %s, which names the tables whose statement is overridden", list))
		}
	}
	return out
}
