package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// base is the smallest valid connector config.
func base() map[string]any {
	return map[string]any{
		"connector.class":    MySQLConnectorClass,
		"database.hostname":  "127.0.0.1",
		"database.user":      "sluice",
		"database.password":  "hunter2-secret",
		"database.server.id": 184054,
		"topic.prefix":       "dbserver1",
	}
}

func file(t *testing.T, name string, cfg map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"name": name, "config": cfg})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func with(kv ...any) map[string]any {
	m := base()
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(m, kv[i].(string))
			continue
		}
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func mustParse(t *testing.T, cfg map[string]any) (*Connector, []Warning) {
	t.Helper()
	c, w, err := ParseConnector(file(t, "inventory", cfg), "inventory.json")
	if err != nil {
		t.Fatalf("unexpected error:\n%v", err)
	}
	return c, w
}

func parseErrs(t *testing.T, cfg map[string]any) Errors {
	t.Helper()
	c, _, err := ParseConnector(file(t, "inventory", cfg), "inventory.json")
	if err == nil {
		t.Fatalf("expected an error, got %+v", c)
	}
	if c != nil {
		t.Fatalf("connector returned along with errors")
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error is %T, want Errors", err)
	}
	return es
}

func warningsText(ws []Warning) string {
	var s []string
	for _, w := range ws {
		s = append(s, w.String())
	}
	return strings.Join(s, "\n")
}

func TestConnectorDefaults(t *testing.T) {
	c, warns := mustParse(t, base())
	if len(warns) != 0 {
		t.Errorf("unexpected warnings:\n%s", warningsText(warns))
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Name", c.Name, "inventory"},
		{"Source", c.Source, "inventory.json"},
		{"Class", c.Class, MySQLConnectorClass},
		{"Flavor", c.Flavor, FlavorMySQL},
		{"Hostname", c.Hostname, "127.0.0.1"},
		{"Port", c.Port, 3306},
		{"User", c.User, "sluice"},
		{"Password", c.Password.Reveal(), "hunter2-secret"},
		{"ServerID", c.ServerID, uint32(184054)},
		{"ServerIDRandom", c.ServerIDRandom, false},
		{"TopicPrefix", c.TopicPrefix, "dbserver1"},
		{"TableIgnoreBuiltin", c.TableIgnoreBuiltin, true},
		{"TombstonesOnDelete", c.TombstonesOnDelete, true},
		{"MaxQueueSize", c.MaxQueueSize, 2048},
		{"MaxBatchSize", c.MaxBatchSize, 1024},
		{"MaxQueueSizeInBytes", c.MaxQueueSizeInBytes, int64(0)},
		{"PollInterval", c.PollInterval, 500 * time.Millisecond},
		{"OffsetFlushInterval", c.OffsetFlushInterval, 60 * time.Second},
		{"OffsetFlushTimeout", c.OffsetFlushTimeout, 5 * time.Second},
		{"TopicCreation groups", len(c.TopicCreation), 1},
		{"TopicCreation default partitions", c.TopicCreation[0].Partitions, int32(-1)},
		{"TopicCreation default replication factor", c.TopicCreation[0].ReplicationFactor, int16(-1)},
		{"ConnectTimeout", c.ConnectTimeout, 30 * time.Second},
		{"KeepAlive", c.KeepAlive, true},
		{"KeepAliveInterval", c.KeepAliveInterval, 60 * time.Second},
		{"HeartbeatInterval", c.HeartbeatInterval, time.Duration(0)},
		{"SnapshotMode", c.SnapshotMode, "initial"},
		{"SnapshotLockingMode", c.SnapshotLockingMode, "minimal"},
		{"SnapshotMaxThreads", c.SnapshotMaxThreads, 1},
		{"SnapshotLockTimeout", c.SnapshotLockTimeout, 10 * time.Second},
		{"SnapshotRangeRows", c.SnapshotRangeRows, 50_000},
		{"SnapshotFetchSize", c.SnapshotFetchSize, 0},
		{"IncludeSchemaChanges", c.IncludeSchemaChanges, true},
		{"DecimalHandlingMode", c.DecimalHandlingMode, "precise"},
		{"BigIntUnsignedHandlingMode", c.BigIntUnsignedHandlingMode, "long"},
		{"TimePrecisionMode", c.TimePrecisionMode, "adaptive_time_microseconds"},
		{"BinaryHandlingMode", c.BinaryHandlingMode, "bytes"},
		{"EventProcessingFailureHandlingMode", c.EventProcessingFailureHandlingMode, "fail"},
		{"InconsistentSchemaHandlingMode", c.InconsistentSchemaHandlingMode, "fail"},
		{"KeyConverter.Class", c.KeyConverter.Class, JSONConverterClass},
		{"KeyConverter.SchemasEnable", c.KeyConverter.SchemasEnable, true},
		{"KeyConverter.IsAvro", c.KeyConverter.IsAvro(), false},
		{"ValueConverter.Class", c.ValueConverter.Class, JSONConverterClass},
		{"ValueConverter.SchemasEnable", c.ValueConverter.SchemasEnable, true},
		{"ValueConverter.Props", len(c.ValueConverter.Props), 0},
		{"DatabaseIncludeList", len(c.DatabaseIncludeList), 0},
		{"Raw[database.server.id]", c.Raw["database.server.id"], "184054"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %#v, want %#v", ck.name, ck.got, ck.want)
		}
	}
	if !c.DatabaseIncluded("anything") || !c.TableIncluded("inventory", "customers") {
		t.Error("no filters must include every database and table")
	}
}

func TestConnectorSetValues(t *testing.T) {
	c, warns := mustParse(t, with(
		"connector.class", MariaDBConnectorClass,
		"database.port", "3307",
		"tombstones.on.delete", false,
		"max.queue.size", 100,
		"max.batch.size", "99",
		"max.queue.size.in.bytes", "1048576",
		"poll.interval.ms", 250,
		"offset.flush.interval.ms", "10000",
		"offset.flush.timeout.ms", "1000",
		"topic.creation.default.partitions", 6,
		"topic.creation.default.replication.factor", "3",
		"connect.timeout.ms", "5000",
		"connect.keep.alive", "FALSE",
		"connect.keep.alive.interval.ms", "1000",
		"heartbeat.interval.ms", 10000,
		"snapshot.mode", "When_Needed",
		"snapshot.locking.mode", "none",
		"snapshot.max.threads", 4,
		"snapshot.lock.timeout.ms", 2500,
		"sluice.snapshot.range.rows", "200000",
		"snapshot.fetch.size", 10000,
		"include.schema.changes", "false",
		"decimal.handling.mode", "string",
		"bigint.unsigned.handling.mode", "precise",
		"time.precision.mode", "connect",
		"binary.handling.mode", "base64-url-safe",
		"event.processing.failure.handling.mode", "ignore",
		"inconsistent.schema.handling.mode", "warn",
		"table.ignore.builtin", false,
	))
	if len(warns) != 0 {
		t.Errorf("unexpected warnings:\n%s", warningsText(warns))
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Flavor", c.Flavor, FlavorMariaDB},
		{"Port", c.Port, 3307},
		{"TombstonesOnDelete", c.TombstonesOnDelete, false},
		{"MaxQueueSize", c.MaxQueueSize, 100},
		{"MaxBatchSize", c.MaxBatchSize, 99},
		{"MaxQueueSizeInBytes", c.MaxQueueSizeInBytes, int64(1 << 20)},
		{"PollInterval", c.PollInterval, 250 * time.Millisecond},
		{"OffsetFlushInterval", c.OffsetFlushInterval, 10 * time.Second},
		{"OffsetFlushTimeout", c.OffsetFlushTimeout, time.Second},
		{"TopicCreation default partitions", c.TopicCreation[len(c.TopicCreation)-1].Partitions, int32(6)},
		{"TopicCreation default replication factor", c.TopicCreation[len(c.TopicCreation)-1].ReplicationFactor, int16(3)},
		{"ConnectTimeout", c.ConnectTimeout, 5 * time.Second},
		{"KeepAlive", c.KeepAlive, false},
		{"KeepAliveInterval", c.KeepAliveInterval, time.Second},
		{"HeartbeatInterval", c.HeartbeatInterval, 10 * time.Second},
		{"SnapshotMode", c.SnapshotMode, "when_needed"},
		{"SnapshotLockingMode", c.SnapshotLockingMode, "none"},
		{"SnapshotMaxThreads", c.SnapshotMaxThreads, 4},
		{"SnapshotLockTimeout", c.SnapshotLockTimeout, 2500 * time.Millisecond},
		{"SnapshotRangeRows", c.SnapshotRangeRows, 200_000},
		{"SnapshotFetchSize", c.SnapshotFetchSize, 10000},
		{"IncludeSchemaChanges", c.IncludeSchemaChanges, false},
		{"DecimalHandlingMode", c.DecimalHandlingMode, "string"},
		{"BigIntUnsignedHandlingMode", c.BigIntUnsignedHandlingMode, "precise"},
		{"TimePrecisionMode", c.TimePrecisionMode, "connect"},
		{"BinaryHandlingMode", c.BinaryHandlingMode, "base64-url-safe"},
		{"EventProcessingFailureHandlingMode", c.EventProcessingFailureHandlingMode, "skip"},
		{"InconsistentSchemaHandlingMode", c.InconsistentSchemaHandlingMode, "warn"},
		{"TableIgnoreBuiltin", c.TableIgnoreBuiltin, false},
		// Values are normalised to strings like Kafka Connect does.
		{"Raw[max.queue.size]", c.Raw["max.queue.size"], "100"},
		{"Raw[tombstones.on.delete]", c.Raw["tombstones.on.delete"], "false"},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %#v, want %#v", ck.name, ck.got, ck.want)
		}
	}
}

func TestSnapshotModesAccepted(t *testing.T) {
	for _, m := range []string{"initial", "initial_only", "when_needed", "never", "no_data", "schema_only",
		"recovery", "schema_only_recovery", "always"} {
		c, _ := mustParse(t, with("snapshot.mode", strings.ToUpper(m)))
		if c.SnapshotMode != m {
			t.Errorf("snapshot.mode %q stored as %q", m, c.SnapshotMode)
		}
	}
	for _, m := range []string{"minimal", "extended", "none", "minimal_percona"} {
		if c, _ := mustParse(t, with("snapshot.locking.mode", m)); c.SnapshotLockingMode != m {
			t.Errorf("snapshot.locking.mode %q stored as %q", m, c.SnapshotLockingMode)
		}
	}
	for _, m := range []string{"bytes", "base64", "base64-url-safe", "hex"} {
		if c, _ := mustParse(t, with("binary.handling.mode", m)); c.BinaryHandlingMode != m {
			t.Errorf("binary.handling.mode %q stored as %q", m, c.BinaryHandlingMode)
		}
	}
	for _, m := range []string{"precise", "double", "string"} {
		if c, _ := mustParse(t, with("decimal.handling.mode", m)); c.DecimalHandlingMode != m {
			t.Errorf("decimal.handling.mode %q stored as %q", m, c.DecimalHandlingMode)
		}
	}
}

// snapshot.mode=configuration_based runs as the named mode its switches
// amount to (Debezium's snapshotter answers each question with one switch,
// whatever offset is stored); the combinations no mode is are refused.
func TestConfigurationBasedSnapshot(t *testing.T) {
	const p = "snapshot.mode.configuration.based."
	for _, tc := range []struct {
		name     string
		switches []string // set to true
		mode     string
		noStream bool
		err      string
	}{
		{"data+schema+stream", []string{"snapshot.data", "snapshot.schema", "start.stream"}, SnapshotAlways, false, ""},
		{"with the error switches", []string{"snapshot.data", "snapshot.schema", "start.stream", "snapshot.on.data.error", "snapshot.on.schema.error"}, SnapshotAlways, false, ""},
		{"data+schema, no stream", []string{"snapshot.data", "snapshot.schema"}, SnapshotAlways, true, ""},
		{"stream alone", []string{"start.stream"}, SnapshotNever, false, ""},
		{"data alone", []string{"snapshot.data", "start.stream"}, "", false, "snapshot.data=true needs snapshot.mode.configuration.based.snapshot.schema=true"},
		{"schema alone", []string{"snapshot.schema", "start.stream"}, "", false, "skipping the changes since the stored offset; use snapshot.mode=no_data"},
		{"stream on data error", []string{"start.stream", "snapshot.on.data.error"}, "", false, "use snapshot.mode=when_needed"},
		{"nothing", nil, "", false, "the connector reads nothing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kv := []any{"snapshot.mode", "configuration_based"}
			for _, k := range tc.switches {
				kv = append(kv, p+k, "true")
			}
			if tc.err != "" {
				es := parseErrs(t, with(kv...))
				if len(es) != 1 || es[0].Key != "snapshot.mode" || !strings.Contains(es[0].Error(), tc.err) {
					t.Fatalf("errors %v, want one on snapshot.mode containing %q", es, tc.err)
				}
				return
			}
			c, ws := mustParse(t, with(kv...))
			if c.SnapshotMode != tc.mode || c.SnapshotNoStream != tc.noStream || c.SnapshotConfigured != SnapshotConfigurationBased {
				t.Fatalf("mode %q, no stream %t, configured %q; want %q, %t", c.SnapshotMode, c.SnapshotNoStream, c.SnapshotConfigured, tc.mode, tc.noStream)
			}
			if len(ws) != 0 {
				t.Errorf("warnings: %s", warningsText(ws))
			}
		})
	}
	// The switches mean nothing to another mode (Debezium reads them only
	// for configuration_based): no error, no change.
	c, _ := mustParse(t, with("snapshot.mode", "initial", p+"snapshot.data", "true"))
	if c.SnapshotMode != SnapshotInitial || c.SnapshotNoStream || c.SnapshotConfigured != "" {
		t.Errorf("initial with a switch: %+v", c.SnapshotMode)
	}
	es := parseErrs(t, with("connector.class", VitessConnectorClass, "vitess.keyspace", "ks", "snapshot.mode", "configuration_based", p+"start.stream", "true"))
	found := false
	for _, e := range es {
		found = found || e.Key == "snapshot.mode" && strings.Contains(e.Error(), "Vitess source has initial, never and when_needed")
	}
	if !found {
		t.Errorf("Vitess with configuration_based: %v", es)
	}
}

func TestServerIDRandomDefault(t *testing.T) {
	for range 50 {
		c, warns := mustParse(t, with("database.server.id", nil))
		if !c.ServerIDRandom || c.ServerID < 5400 || c.ServerID > 6399 {
			t.Fatalf("ServerID = %d (random %v), want a random id in 5400..6399", c.ServerID, c.ServerIDRandom)
		}
		want := fmt.Sprintf(`connector inventory: property "database.server.id" is not set; using the random id %d for this run`, c.ServerID)
		if len(warns) != 1 || !strings.HasPrefix(warns[0].String(), want) {
			t.Fatalf("warnings = %q, want one starting %q", warningsText(warns), want)
		}
	}
}

// A max.batch.size set alone gets a queue twice its size, never less than
// the default: Debezium's own pair (8192 and 2048) is still accepted.
func TestQueueFollowsBatchSize(t *testing.T) {
	for _, tc := range []struct {
		batch     any
		wantQueue int
	}{{9000, 18000}, {2048, 4096}, {100, 2048}} {
		c, _ := mustParse(t, with("max.batch.size", tc.batch))
		if c.MaxQueueSize != tc.wantQueue {
			t.Errorf("max.batch.size=%v: max.queue.size %d, want %d", tc.batch, c.MaxQueueSize, tc.wantQueue)
		}
	}
	c, _ := mustParse(t, with("max.batch.size", 2048, "max.queue.size", 8192))
	if c.MaxQueueSize != 8192 || c.MaxBatchSize != 2048 {
		t.Errorf("Debezium's defaults set: queue %d, batch %d", c.MaxQueueSize, c.MaxBatchSize)
	}
}

func TestExactErrorMessage(t *testing.T) {
	es := parseErrs(t, with("max.batch.size", "abc"))
	want := `connector inventory: property "max.batch.size": value "abc" is not an integer; use a positive integer (default 1024)`
	if len(es) != 1 || es[0].Error() != want {
		t.Fatalf("got\n%v\nwant\n%s", es, want)
	}
	if es[0].Key != "max.batch.size" || es[0].Value != "abc" || es[0].Scope != "connector inventory" {
		t.Errorf("fields = %+v", *es[0])
	}
	var e *Error
	if !errors.As(error(es), &e) || e.Key != "max.batch.size" {
		t.Errorf("errors.As(*Error) = %v", e)
	}
}

func TestBadValues(t *testing.T) {
	cases := []struct {
		key   string
		value any // nil: remove the key
		want  string
	}{
		{"connector.class", nil, `property "connector.class" is required; set it to io.debezium.connector.mysql.MySqlConnector, io.debezium.connector.mariadb.MariaDbConnector or io.debezium.connector.vitess.VitessConnector`},
		{"connector.class", "io.debezium.connector.postgresql.PostgresConnector", `property "connector.class": value "io.debezium.connector.postgresql.PostgresConnector" is not a connector Sluice can run; use io.debezium.connector.mysql.MySqlConnector, io.debezium.connector.mariadb.MariaDbConnector or io.debezium.connector.vitess.VitessConnector`},
		{"database.hostname", nil, `property "database.hostname" is required; set it to the host name or IP address of the MySQL server`},
		{"database.hostname", "  ", `property "database.hostname" is required`},
		{"database.user", nil, `property "database.user" is required; set it to the MySQL user`},
		{"database.port", "0", `property "database.port": value "0" is out of range; use an integer from 1 to 65535 (default 3306)`},
		{"database.port", 65536, `property "database.port": value "65536" is out of range`},
		{"database.port", "33o6", `property "database.port": value "33o6" is not an integer; use an integer from 1 to 65535 (default 3306)`},
		{"database.port", "", `property "database.port" is empty; use an integer from 1 to 65535 (default 3306)`},
		{"database.port", 3306.5, `property "database.port": value "3306.5" is not an integer`},
		{"database.server.id", 0, `property "database.server.id": value "0" is out of range; use an integer from 1 to 4294967295, unique among the servers and replicas of the cluster (default a random number from 5400 to 6399)`},
		{"database.server.id", "4294967296", `property "database.server.id": value "4294967296" is out of range`},
		{"database.server.id", "-5", `property "database.server.id": value "-5" is out of range`},
		{"database.server.id", "x", `property "database.server.id": value "x" is not an integer`},
		{"topic.prefix", nil, `property "topic.prefix" is required; set it to the logical name of the server`},
		{"topic.prefix", "", `property "topic.prefix" is empty`},
		{"topic.prefix", "db server", `property "topic.prefix": value "db server" has characters other than letters, digits, '.', '_' and '-'`},
		{"topic.prefix", "db/1", `property "topic.prefix": value "db/1" has characters other than`},
		{"topic.prefix", strings.Repeat("a", 250), `is longer than 249 characters`},
		{"tombstones.on.delete", "yes", `property "tombstones.on.delete": value "yes" is not a boolean; use true or false (default true)`},
		{"tombstones.on.delete", 1, `property "tombstones.on.delete": value "1" is not a boolean`},
		{"table.ignore.builtin", "nope", `property "table.ignore.builtin": value "nope" is not a boolean; use true or false (default true)`},
		{"max.queue.size", 0, `property "max.queue.size": value "0" is out of range; use a positive integer (default 2048)`},
		{"max.queue.size", "big", `property "max.queue.size": value "big" is not an integer; use a positive integer (default 2048)`},
		{"max.queue.size", 1024, `property "max.queue.size": value "1024" must be larger than max.batch.size (1024); raise max.queue.size or lower max.batch.size`},
		{"max.batch.size", -1, `property "max.batch.size": value "-1" is out of range; use a positive integer (default 1024)`},
		{"max.batch.size", "99999999999999999999", `property "max.batch.size": value "99999999999999999999" is out of range`},
		{"max.queue.size.in.bytes", -1, `property "max.queue.size.in.bytes": value "-1" is out of range; use a non-negative number of bytes (0 = unbounded) (default 0)`},
		{"custom.retriable.exception", ".*(?=deadlock).*", `property "custom.retriable.exception": value ".*(?=deadlock).*" is a pattern Sluice cannot use (lookahead (?= or (?! is not supported); Sluice runs these patterns with Go's RE2 engine`},
		{"errors.max.retries", -2, `property "errors.max.retries": value "-2" is out of range; use -1 (retry without limit), 0 (fail at the first error) or a number of retries (default -1)`},
		{"poll.interval.ms", 0, `property "poll.interval.ms": value "0" is out of range; use a positive number of milliseconds (default 500)`},
		{"poll.interval.ms", "1s", `property "poll.interval.ms": value "1s" is not an integer; use a positive number of milliseconds (default 500)`},
		{"offset.flush.interval.ms", 0, `property "offset.flush.interval.ms": value "0" is out of range; use a positive number of milliseconds (default 60000)`},
		{"offset.flush.timeout.ms", "-3", `property "offset.flush.timeout.ms": value "-3" is out of range; use a positive number of milliseconds (default 5000)`},
		{"topic.creation.default.partitions", 0, `property "topic.creation.default.partitions": value "0" is out of range; use -1 (the broker's default) or a positive integer (default -1)`},
		{"topic.creation.default.partitions", -2, `property "topic.creation.default.partitions": value "-2" is out of range`},
		{"topic.creation.default.replication.factor", 0, `property "topic.creation.default.replication.factor": value "0" is out of range; use -1 (the broker's default) or a positive integer (default -1)`},
		{"topic.creation.default.replication.factor", 40000, `property "topic.creation.default.replication.factor": value "40000" is out of range`},
		{"connect.timeout.ms", 0, `property "connect.timeout.ms": value "0" is out of range; use a positive number of milliseconds (default 30000)`},
		{"connect.keep.alive", "on", `property "connect.keep.alive": value "on" is not a boolean`},
		{"connect.keep.alive.interval.ms", "x", `property "connect.keep.alive.interval.ms": value "x" is not an integer; use a positive number of milliseconds (default 60000)`},
		{"heartbeat.interval.ms", -1, `property "heartbeat.interval.ms": value "-1" is out of range; use a non-negative number of milliseconds (default 0)`},
		{"provide.transaction.metadata", "yes", `property "provide.transaction.metadata": value "yes" is not a boolean`},
		{"header.converter", "org.apache.kafka.connect.json.JsonConverter", `property "header.converter": value "org.apache.kafka.connect.json.JsonConverter" is not supported by Sluice (Sluice writes header values as Kafka Connect's default header converter does); remove it or set the default, "org.apache.kafka.connect.storage.SimpleHeaderConverter"`},
		{"topic.naming.strategy", "com.acme.ShortTopics", `property "topic.naming.strategy": value "com.acme.ShortTopics" is not a topic naming strategy Sluice has (it runs no Java); use one of Debezium's: io.debezium.schema.DefaultRegexTopicNamingStrategy, io.debezium.schema.DefaultTopicNamingStrategy, io.debezium.schema.DefaultUnicodeTopicNamingStrategy, io.debezium.schema.SchemaRegexTopicNamingStrategy, io.debezium.schema.SchemaTopicNamingStrategy, io.debezium.schema.SchemaUnicodeTopicNamingStrategy`},
		{"transaction.metadata.factory", "io.debezium.connector.vitess.pipeline.txmetadata.VitessOrderedTransactionMetadataFactory", `property "transaction.metadata.factory": value "io.debezium.connector.vitess.pipeline.txmetadata.VitessOrderedTransactionMetadataFactory" is not supported by Sluice (another factory (Vitess's ordered one) adds fields to the transaction records and blocks); remove it or set the default, "io.debezium.pipeline.txmetadata.DefaultTransactionMetadataFactory"`},
		{"sourceinfo.struct.maker", "io.debezium.connector.mariadb.MariaDbSourceInfoStructMaker", `property "sourceinfo.struct.maker": value "io.debezium.connector.mariadb.MariaDbSourceInfoStructMaker" is not supported by Sluice (another class writes another source block); remove it or set the default, "io.debezium.connector.mysql.MySqlSourceInfoStructMaker"`},
		{"exactly.once.support", "always", `property "exactly.once.support": value "always" is not one of the allowed values; use one of requested, required (default requested)`},
		{"transaction.boundary", "batch", `property "transaction.boundary": value "batch" is not one of the allowed values; use one of poll, interval (default poll)`},
		{"transaction.boundary", "connector", `property "transaction.boundary": value "connector" is not supported by Sluice (Debezium's connectors do not define transaction boundaries`},
		{"transaction.boundary.interval.ms", "0", `property "transaction.boundary.interval.ms": value "0" is out of range; use a positive number of milliseconds (default offset.flush.interval.ms)`},
		{"snapshot.select.statement.overrides", "inventory.orders", `property "snapshot.select.statement.overrides": value "inventory.orders" names inventory.orders, but snapshot.select.statement.overrides.inventory.orders holds no SELECT; set it or remove the table from the list`},
		{"signal.enabled.channels", "source,jmx", `property "signal.enabled.channels": value "source,jmx" names "jmx", which Sluice does not serve (JMX is not served); keep only source or kafka or file`},
		{"notification.enabled.channels", "sink,custom", `property "notification.enabled.channels": value "sink,custom" names "custom", which Sluice does not serve (no custom notification channel is loaded); keep only log or jmx or sink`},
		{"snapshot.mode", "sometimes", `property "snapshot.mode": value "sometimes" is not one of the allowed values; use one of initial, initial_only, when_needed, never, no_data, schema_only, recovery, schema_only_recovery, always, configuration_based (default initial)`},
		{"snapshot.mode", "configuration_based", `property "snapshot.mode": value "configuration_based" is not supported by Sluice with these switches: with snapshot.mode.configuration.based.snapshot.data, snapshot.schema and start.stream all false the connector reads nothing; set one of them to true`},
		{"snapshot.mode", "custom", `property "snapshot.mode": value "custom" is not supported by Sluice (Sluice cannot load the Java snapshotter class snapshot.mode.custom.name names); use one of initial, initial_only, when_needed, never, no_data, schema_only, recovery, schema_only_recovery, always, configuration_based (default initial)`},
		{"snapshot.locking.mode", "maximal", `property "snapshot.locking.mode": value "maximal" is not one of the allowed values; use one of minimal, extended, none, minimal_percona (default minimal)`},
		{"snapshot.locking.mode", "custom", `property "snapshot.locking.mode": value "custom" is not supported by Sluice (Sluice cannot load Java locking-mode plugins)`},
		{"snapshot.max.threads", 0, `property "snapshot.max.threads": value "0" is out of range; use a positive integer (default 1)`},
		{"sluice.snapshot.range.rows", 0, `property "sluice.snapshot.range.rows": value "0" is out of range; use a positive integer (default 50000)`},
		{"snapshot.fetch.size", -1, `property "snapshot.fetch.size": value "-1" is out of range; use a non-negative integer (default unset: rows are streamed)`},
		{"include.schema.changes", "maybe", `property "include.schema.changes": value "maybe" is not a boolean; use true or false (default true)`},
		{"decimal.handling.mode", "float", `property "decimal.handling.mode": value "float" is not one of the allowed values; use one of precise, double, string (default precise)`},
		{"bigint.unsigned.handling.mode", "int", `property "bigint.unsigned.handling.mode": value "int" is not one of the allowed values; use one of long, precise (default long)`},
		{"time.precision.mode", "adaptive", `property "time.precision.mode": value "adaptive" is not supported by Sluice (Debezium's MySQL and MariaDB connectors reject it too); use one of adaptive_time_microseconds, connect (default adaptive_time_microseconds)`},
		{"time.precision.mode", "isostring", `property "time.precision.mode": value "isostring" is not supported by Sluice (not implemented yet)`},
		{"time.precision.mode", "hours", `property "time.precision.mode": value "hours" is not one of the allowed values`},
		{"binary.handling.mode", "base32", `property "binary.handling.mode": value "base32" is not one of the allowed values; use one of bytes, base64, base64-url-safe, hex (default bytes)`},
		{"event.processing.failure.handling.mode", "panic", `property "event.processing.failure.handling.mode": value "panic" is not one of the allowed values; use one of fail, warn, skip (default fail)`},
		{"inconsistent.schema.handling.mode", "", `property "inconsistent.schema.handling.mode" is empty; use one of fail, warn, skip (default fail)`},
		{"key.converter", "org.apache.kafka.connect.storage.StringConverter", `property "key.converter": value "org.apache.kafka.connect.storage.StringConverter" is not a converter Sluice supports; use one of org.apache.kafka.connect.json.JsonConverter, io.confluent.connect.avro.AvroConverter, io.apicurio.registry.utils.converter.AvroConverter (default org.apache.kafka.connect.json.JsonConverter)`},
		{"value.converter", "x", `property "value.converter": value "x" is not a converter Sluice supports`},
		{"value.converter", ConfluentAvroConverterClass, `property "value.converter.schema.registry.url" is required when value.converter is io.confluent.connect.avro.AvroConverter; set it to the schema registry's URL`},
		{"key.converter", ApicurioAvroConverterClass, `property "key.converter.schema.registry.url" is required when key.converter is io.apicurio.registry.utils.converter.AvroConverter (or key.converter.apicurio.registry.url)`},
		{"key.converter.schemas.enable", "sometimes", `property "key.converter.schemas.enable": value "sometimes" is not a boolean; use true or false (default true)`},
		{"value.converter.schemas.enable", "", `property "value.converter.schemas.enable" is empty; use true or false (default true)`},
		{"database.include.list", "inv(?=x)", `property "database.include.list": value "inv(?=x)" is a pattern Sluice cannot use (lookahead (?= or (?! is not supported); Sluice runs these patterns with Go's RE2 engine`},
		{"table.include.list", "db.x, db.(a)\\1", `property "table.include.list": value "db.x, db.(a)\\1" has a pattern "db.(a)\\1" that Sluice cannot use (backreferences such as \1 are not supported)`},
		{"table.exclude.list", "db.a*+", `property "table.exclude.list": value "db.a*+" is a pattern Sluice cannot use (possessive quantifiers`},
		{"table.exclude.list", "db.(?>a)", `is a pattern Sluice cannot use (atomic groups`},
		{"table.exclude.list", "db.(?<!a)b", `is a pattern Sluice cannot use (lookbehind`},
		{"database.exclude.list", "[a-z&&[^e]]", `property "database.exclude.list": value "[a-z&&[^e]]" is a pattern Sluice cannot use (character class intersection (&&) is Java-only`},
		{"database.exclude.list", `inv\Z`, `is a pattern Sluice cannot use (\Z (end before a final line terminator) is Java-only; use $)`},
		{"database.include.list", "inv[", `property "database.include.list": value "inv[" is a pattern Sluice cannot use (missing closing ]`},
		{"database.include.list", `a,b\`, `property "database.include.list": value "a,b\\" ends in an unterminated escape`},
		{"database.include.list", []any{"a"}, `property "database.include.list" is an array; use a string, number or boolean`},
		{"database.port", map[string]any{"v": 1}, `property "database.port" is an object; use a string, number or boolean`},
	}
	for _, tc := range cases {
		t.Run(tc.key+"="+fmt.Sprint(tc.value), func(t *testing.T) {
			es := parseErrs(t, with(tc.key, tc.value))
			key := tc.key
			if tc.key == "max.batch.size" && strings.Contains(tc.want, `"max.queue.size"`) {
				key = "max.queue.size"
			}
			if strings.Contains(tc.want, "registry.url") {
				key = strings.Split(strings.Split(tc.want, `property "`)[1], `"`)[0]
			}
			for _, e := range es {
				if e.Key == key && strings.Contains(e.Error(), tc.want) {
					if !strings.HasPrefix(e.Error(), "connector inventory: ") {
						t.Errorf("error without scope: %s", e)
					}
					return
				}
			}
			t.Errorf("no error for key %q containing\n  %s\ngot:\n%v", key, tc.want, es)
		})
	}
}

func TestRequiredValuesNameMariaDB(t *testing.T) {
	es := parseErrs(t, with("connector.class", MariaDBConnectorClass, "database.hostname", nil, "snapshot.locking.mode", "minimal_percona"))
	want := []string{
		`connector inventory: property "database.hostname" is required; set it to the host name or IP address of the MariaDB server`,
		`connector inventory: property "snapshot.locking.mode": value "minimal_percona" is not supported by Sluice (it is a MySQL-connector mode; Debezium's MariaDB connector does not have it); use one of minimal, extended, none (default minimal)`,
	}
	if got := es.Error(); got != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

func TestAllProblemsCollected(t *testing.T) {
	es := parseErrs(t, with(
		"database.hostname", nil,
		"database.port", "x",
		"max.batch.size", "abc",
		"snapshot.mode", "bad",
		"topic.prefix", "a b",
		"database.include.list", "a",
		"database.exclude.list", "b",
	))
	if len(es) != 6 {
		t.Fatalf("got %d errors, want 6:\n%v", len(es), es)
	}
	lines := strings.Split(es.Error(), "\n")
	if len(lines) != 6 {
		t.Fatalf("Error() has %d lines, want one per problem", len(lines))
	}
	if len(es.Unwrap()) != 6 {
		t.Errorf("Unwrap returned %d errors", len(es.Unwrap()))
	}
}

func TestMutuallyExclusiveLists(t *testing.T) {
	for _, pair := range [][2]string{{"database.include.list", "database.exclude.list"}, {"table.include.list", "table.exclude.list"}} {
		es := parseErrs(t, with(pair[0], "a", pair[1], "b"))
		want := fmt.Sprintf(`connector inventory: property %q: value "b" cannot be used together with %s; set only one of them`, pair[1], pair[0])
		if len(es) != 1 || es[0].Error() != want {
			t.Errorf("got\n%v\nwant\n%s", es, want)
		}
	}
	// A blank list counts as not set, as in Debezium.
	mustParse(t, with("table.include.list", "a.b", "table.exclude.list", "  "))
	// The database pair and the table pair combine freely.
	mustParse(t, with("database.include.list", "a", "table.exclude.list", "a.b"))
}

func TestFilters(t *testing.T) {
	type probe struct {
		db, table string
		want      bool
	}
	cases := []struct {
		name   string
		kv     []any
		dbs    map[string]bool
		tables []probe
	}{
		{
			name: "table include is anchored",
			kv:   []any{"table.include.list", "inventory.customers"},
			tables: []probe{
				{"inventory", "customers", true},
				{"inventory", "customers_archive", false},
				{"xinventory", "customers", false},
				{"Inventory", "CUSTOMERS", true}, // Debezium matches case-insensitively
				{"inventoryX", "customers", false},
			},
		},
		{
			name: "dot in a literal pattern matches any character, as in Java",
			kv:   []any{"table.include.list", "inventory.customers"},
			tables: []probe{
				{"inventoryX", "customers", false},
			},
		},
		{
			name: "escaped dot and wildcard",
			kv:   []any{"table.include.list", `inventory\.cust.*`},
			tables: []probe{
				{"inventory", "customers", true},
				{"inventory", "customers_archive", true},
				{"inventory", "orders", false},
				{"inventory2", "customers", false},
			},
		},
		{
			name: "several patterns, blanks trimmed",
			kv:   []any{"table.include.list", " inventory.orders , inventory.products_.* "},
			tables: []probe{
				{"inventory", "orders", true},
				{"inventory", "products_on_hand", true},
				{"inventory", "products", false},
				{"inventory", "customers", false},
			},
		},
		{
			name: "escaped comma stays in the pattern",
			kv:   []any{"table.include.list", `inventory\.a{1\,2}`},
			tables: []probe{
				{"inventory", "a", true},
				{"inventory", "aa", true},
				{"inventory", "aaa", false},
			},
		},
		{
			name: "table exclude",
			kv:   []any{"table.exclude.list", `inventory\.customers`},
			tables: []probe{
				{"inventory", "customers", false},
				{"inventory", "customers_archive", true},
				{"inventory", "orders", true},
			},
		},
		{
			name: "database include anchored",
			kv:   []any{"database.include.list", "inventory"},
			dbs:  map[string]bool{"inventory": true, "INVENTORY": true, "inventory2": false, "my_inventory": false},
			tables: []probe{
				{"inventory", "customers", true},
				{"inventory2", "customers", false},
			},
		},
		{
			name: "database exclude",
			kv:   []any{"database.exclude.list", "tmp_.*,scratch"},
			dbs:  map[string]bool{"inventory": true, "tmp_1": false, "scratch": false, "scratch2": true},
		},
		{
			name: "both filters must pass",
			kv:   []any{"database.include.list", "inventory", "table.include.list", `.*\.customers`},
			tables: []probe{
				{"inventory", "customers", true},
				{"crm", "customers", false},
				{"inventory", "orders", false},
			},
		},
		{
			name: "built-in databases are skipped by default",
			kv:   []any{},
			dbs:  map[string]bool{"mysql": true}, // the database filter itself lets it through, as in Debezium
			tables: []probe{
				{"mysql", "user", false},
				{"information_schema", "tables", false},
				{"performance_schema", "threads", false},
				{"SYS", "x", false},
				{"inventory", "customers", true},
			},
		},
		{
			name: "built-in databases captured when table.ignore.builtin=false",
			kv:   []any{"table.ignore.builtin", "false"},
			tables: []probe{
				{"mysql", "user", true},
			},
		},
		{
			name: "a list of only commas matches nothing",
			kv:   []any{"table.include.list", ","},
			tables: []probe{
				{"inventory", "customers", false},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustParse(t, with(tc.kv...))
			for db, want := range tc.dbs {
				if got := c.DatabaseIncluded(db); got != want {
					t.Errorf("DatabaseIncluded(%q) = %v, want %v", db, got, want)
				}
			}
			for _, p := range tc.tables {
				if got := c.TableIncluded(p.db, p.table); got != p.want {
					t.Errorf("TableIncluded(%q, %q) = %v, want %v", p.db, p.table, got, p.want)
				}
			}
		})
	}
	c, _ := mustParse(t, with("table.include.list", ` a.b ,c\.d `))
	if fmt.Sprint(c.TableIncludeList) != `[a.b c\.d]` {
		t.Errorf("TableIncludeList = %q", c.TableIncludeList)
	}
}

func TestJavaRegexCompatibleConstructs(t *testing.T) {
	// Constructs both dialects read the same way must compile.
	for _, p := range []string{`[a-z]+`, `[^,]*`, `(?i)inv`, `(?<name>inv)`, `\Qa.b\E`, `[[:alpha:]]+`, `a{2}`, `\d+`, `[]a]`, `x|y`, `a\*+`} {
		if _, err := compileJavaRegex(p); err != nil {
			t.Errorf("compileJavaRegex(%q): %v", p, err)
		}
	}
}

func TestUnknownAndKnownIgnoredKeys(t *testing.T) {
	_, warns := mustParse(t, with("foo.bar", "1"))
	want := `connector inventory: property "foo.bar" is not known to Sluice and is ignored`
	if len(warns) != 1 || warns[0].String() != want {
		t.Errorf("got %q, want %q", warningsText(warns), want)
	}

	_, warns = mustParse(t, with("max.batch.sise", "10"))
	if got := warningsText(warns); !strings.Contains(got, `property "max.batch.sise" is not known to Sluice and is ignored; did you mean "max.batch.size"?`) {
		t.Errorf("no suggestion: %q", got)
	}

	_, warns = mustParse(t, with("snapshot.mdoe", "never", "heartbeat.interval.sm", "5"))
	if got := warningsText(warns); !strings.Contains(got, `property "snapshot.mdoe" is ignored by Sluice; did you mean "snapshot.mode"?`) ||
		!strings.Contains(got, `property "heartbeat.interval.sm" is ignored by Sluice; did you mean "heartbeat.interval.ms"?`) {
		t.Errorf("a typo under a known prefix must still be flagged: %q", got)
	}

	known := []any{
		"tasks.max", "1",
		"schema.history.internal.kafka.bootstrap.servers", "kafka:9092",
		"schema.history.internal.kafka.topic", "schema-changes.inventory",
		"database.history.kafka.topic", "x",
		"include.schema.changes", "true",
		"snapshot.new.tables", "parallel",
		"snapshot.select.statement.overrides", "a.b",
		"snapshot.select.statement.overrides.a.b", "SELECT * FROM a.b",
		"signal.data.collection", "inventory.signals",
		"transforms", "unwrap",
		"transforms.unwrap.type", "io.debezium.transforms.ExtractNewRecordState",
		"predicates", "p",
		"predicates.p.type", "org.apache.kafka.connect.transforms.predicates.TopicNameMatches",
		"errors.tolerance", "all",
		"errors.log.enable", "true",
		"key.converter.basic.auth.credentials.source", "USER_INFO",
		"value.converter.schema.registry.url", "http://localhost:8081",
		"value.converter.use.latest.version", "true",
		"topic.creation.default.cleanup.policy", "compact",
		"topic.creation.groups", "g",
		"topic.creation.g.include", "x.*",
		"topic.creation.default.partitions", "-1",
		"topic.creation.default.replication.factor", "-1",
		"database.ssl.mode", "required",
		"time.precision.mode", "connect",
		"decimal.handling.mode", "string",
		"bigint.unsigned.handling.mode", "long",
		"binary.handling.mode", "hex",
		"column.exclude.list", "a.b.c",
		"column.mask.with.12.chars", "a.b.c",
		"message.key.columns", "a.b:c",
		"heartbeat.interval.ms", "1000",
		"provide.transaction.metadata", "true",
		"database.connectionTimeZone", "UTC",
		"header.converter", "org.apache.kafka.connect.storage.SimpleHeaderConverter",
		"skipped.operations", "none",
		"include.query", "true",
		"snapshot.delay.ms", "0",
		"snapshot.lock.timeout.ms", "10000",
		"snapshot.max.threads.multiplier", "1",
		"snapshot.include.collection.list", "a.b",
		"snapshot.mode.configuration.based.snapshot.data", "true",
		"heartbeat.topics.prefix", "__debezium-heartbeat",
		"topic.creation.default.compression.type", "lz4",
		"column.include.list", "a.b.c",
		"errors.max.retries", "-1",
		"database.ssl.keystore.password", "x",
		"signal.enabled.channels", "source",
		"notification.enabled.channels", "log",
		"incremental.snapshot.chunk.size", "1024",
		"database.server.id.offset", "10000",
		"schema.history.internal.store.only.captured.tables.ddl", "true",
		// Debezium's defaults of properties Sluice refuses at other values.
		"skip.messages.without.change", "false",
		"sourceinfo.struct.maker", "io.debezium.connector.mysql.MySqlSourceInfoStructMaker",
		"transaction.metadata.factory", "io.debezium.pipeline.txmetadata.DefaultTransactionMetadataFactory",
		"topic.naming.strategy", "io.debezium.schema.DefaultTopicNamingStrategy",
		"gtid.source.includes", "",
		"snapshot.query.mode", "select_all",
		"streaming.delay.ms", "0",
	}
	_, warns = mustParse(t, with(known...))
	if len(warns) != 0 {
		t.Errorf("known properties drew warnings:\n%s", warningsText(warns))
	}
	c, _ := mustParse(t, with(known...))
	for i := 0; i < len(known); i += 2 {
		if c.Raw[known[i].(string)] != known[i+1] {
			t.Errorf("Raw[%q] = %q, want %q", known[i], c.Raw[known[i].(string)], known[i+1])
		}
	}
}

// A connector's Kafka client overrides cannot apply to the worker's one
// producer: each is named with where the setting goes instead.
func TestClientOverridesWarned(t *testing.T) {
	c, warns := mustParse(t, with("producer.override.compression.type", "lz4", "producer.override.max.request.size", "5242880",
		"consumer.override.auto.offset.reset", "earliest", "schema.history.internal.producer.security.protocol", "SASL_SSL",
		"schema.history.internal.consumer.ssl.truststore.location", "/ca.pem", "schema.history.internal.producer.linger.ms", "5",
		"signal.consumer.sasl.mechanism", "PLAIN", "signal.consumer.max.poll.records", "10"))
	got := warningsText(warns)
	for _, want := range []string{
		`connector inventory: property "producer.override.compression.type" is ignored: Sluice's connectors share the worker's one producer; set "producer.compression.type" in the worker properties (or SLUICE_PRODUCER_COMPRESSION_TYPE), which applies to every connector`,
		`connector inventory: property "producer.override.max.request.size" is ignored: Sluice's connectors share the worker's one producer, which takes only producer.client.id, producer.compression.type, producer.linger.ms, producer.batch.size, producer.transaction.timeout.ms from the worker properties`,
		`connector inventory: property "consumer.override.auto.offset.reset" is ignored: Sluice's Kafka clients are the worker's, shared by its connectors`,
		`connector inventory: property "schema.history.internal.producer.security.protocol" is ignored: the schema history store connects with the worker's Kafka settings; set "security.protocol" in the worker properties (or SLUICE_SECURITY_PROTOCOL)`,
		`connector inventory: property "schema.history.internal.consumer.ssl.truststore.location" is ignored: the schema history store connects with the worker's Kafka settings; set "ssl.truststore.location" in the worker properties (or SLUICE_SSL_TRUSTSTORE_LOCATION)`,
		`connector inventory: property "signal.consumer.sasl.mechanism" is ignored: the Kafka signal channel connects with the worker's Kafka settings; set "sasl.mechanism" in the worker properties (or SLUICE_SASL_MECHANISM)`,
		`connector inventory: property "signal.consumer.max.poll.records" is ignored: the Kafka signal channel's consumer takes only the worker's Kafka settings (and signal.kafka.bootstrap.servers, signal.kafka.groupId)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing warning %q in\n%s", want, got)
		}
	}
	if len(warns) != 7 {
		t.Errorf("got %d warnings, want 7:\n%s", len(warns), got)
	}
	if c.Raw["producer.override.compression.type"] != "lz4" {
		t.Errorf("Raw lost the override: %v", c.Raw)
	}
}

// snapshot.max.threads.multiplier sizes Debezium's chunks: at another
// value than 1, whole or per table, a warning names what Sluice reads
// instead; at 1 it says nothing, and a bad value is an error.
func TestChunkMultiplierWarned(t *testing.T) {
	_, warns := mustParse(t, with("snapshot.max.threads.multiplier", "4", "snapshot.max.threads.multiplier.inventory.orders", 2,
		"snapshot.max.threads.multiplier.inventory.items", "1"))
	got := warningsText(warns)
	for _, key := range []string{"snapshot.max.threads.multiplier", "snapshot.max.threads.multiplier.inventory.orders"} {
		want := `connector inventory: property "` + key + `" is not read: Debezium splits each table into snapshot.max.threads times this many chunks; Sluice reads each table in ranges of sluice.snapshot.range.rows rows (50000 by default), set that instead`
		if !strings.Contains(got, want) {
			t.Errorf("missing warning %q in\n%s", want, got)
		}
	}
	if len(warns) != 2 {
		t.Errorf("got %d warnings, want 2:\n%s", len(warns), got)
	}
	if es := parseErrs(t, with("snapshot.max.threads.multiplier", "0")); !strings.Contains(es.Error(), "snapshot.max.threads.multiplier") {
		t.Errorf("multiplier 0: %v, want an error naming the property", es)
	}
}

func TestRenamedKeys(t *testing.T) {
	_, warns := mustParse(t, with("table.whitelist", "a.b", "database.server.name", "old"))
	got := warningsText(warns)
	for _, want := range []string{
		`connector inventory: property "table.whitelist" was renamed to "table.include.list" in Debezium 2.0 and is ignored; rename it`,
		`connector inventory: property "database.server.name" was replaced by topic.prefix in Debezium 2.0 and is ignored`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing warning %q in\n%s", want, got)
		}
	}
	es := parseErrs(t, with("topic.prefix", nil, "database.server.name", "old"))
	if want := `property "topic.prefix" is required; Debezium 2.0 replaced database.server.name (here "old") with topic.prefix, so rename it`; !strings.Contains(es.Error(), want) {
		t.Errorf("got %v, want %q", es, want)
	}
}

func TestConverters(t *testing.T) {
	c, warns := mustParse(t, with(
		"key.converter", ConfluentAvroConverterClass,
		"key.converter.schema.registry.url", "http://127.0.0.1:8081",
		"key.converter.basic.auth.user.info", "u:p",
		"value.converter", JSONConverterClass,
		"value.converter.schemas.enable", false,
		"value.converter.decimal.format", "NUMERIC",
	))
	if len(warns) != 0 {
		t.Errorf("warnings: %s", warningsText(warns))
	}
	k, v := c.KeyConverter, c.ValueConverter
	if k.Class != ConfluentAvroConverterClass || !k.IsAvro() || k.RegistryURL() != "http://127.0.0.1:8081" || !k.SchemasEnable {
		t.Errorf("key converter = %+v", k)
	}
	if len(k.Props) != 2 || k.Props["basic.auth.user.info"] != "u:p" {
		t.Errorf("key props = %v", map[string]string(k.Props))
	}
	if v.Class != JSONConverterClass || v.SchemasEnable || v.RegistryURL() != "" {
		t.Errorf("value converter = %+v", v)
	}
	if len(v.Props) != 1 || v.Props["decimal.format"] != "NUMERIC" {
		t.Errorf("value props = %v (schemas.enable must not be among them)", map[string]string(v.Props))
	}
	c, ws := mustParse(t, with("value.converter", ApicurioAvroConverterClass, "value.converter.apicurio.registry.url", "http://r/apis/registry/v2"))
	if c.ValueConverter.RegistryURL() != "http://r/apis/registry/v2" {
		t.Errorf("apicurio url = %q", c.ValueConverter.RegistryURL())
	}
	// Apicurio's defaults put the id in headers, which Sluice does not
	// write: the settings that match Sluice's records are named.
	if w := fmt.Sprint(ws); !strings.Contains(w, "value.converter.apicurio.registry.as-confluent=true, value.converter.apicurio.registry.use-id=contentId, value.converter.apicurio.registry.headers.enabled=false") {
		t.Errorf("warnings = %s, want the Apicurio settings that match Sluice's framing", w)
	}
	_, ws = mustParse(t, with("value.converter", ApicurioAvroConverterClass, "value.converter.apicurio.registry.url", "http://r/apis/registry/v2",
		"value.converter.apicurio.registry.as-confluent", "true", "value.converter.apicurio.registry.use-id", "contentId",
		"value.converter.apicurio.registry.headers.enabled", "false"))
	if w := fmt.Sprint(ws); strings.Contains(w, "apicurio") {
		t.Errorf("warnings = %s, want none about the converter once its settings match", w)
	}
}

func TestFileShapes(t *testing.T) {
	cfg := base()
	flat := map[string]any{"name": "flat"}
	for k, v := range cfg {
		flat[k] = v
	}
	fb, _ := json.Marshal(flat)
	c, _, err := ParseConnector(fb, "flat.json")
	if err != nil || c.Name != "flat" {
		t.Fatalf("flat form: %v, %+v", err, c)
	}

	// GET /connectors/<name> output carries tasks and type: no warning.
	withTasks, _ := json.Marshal(map[string]any{"name": "inventory", "config": cfg, "tasks": []any{}, "type": "source"})
	if _, w, err := ParseConnector(withTasks, "x.json"); err != nil || len(w) != 0 {
		t.Errorf("tasks/type: %v %v", err, w)
	}
	extra, _ := json.Marshal(map[string]any{"name": "inventory", "config": cfg, "comment": "hi"})
	if _, w, err := ParseConnector(extra, "x.json"); err != nil || len(w) != 1 || w[0].String() != `x.json: field "comment" next to "config" is not known to Sluice and is ignored` {
		t.Errorf("extra field: %v %q", err, warningsText(w))
	}

	// config.name may repeat the name but not contradict it.
	cfg2 := with("name", "inventory")
	if c, _ := mustParse(t, cfg2); c.Name != "inventory" {
		t.Error(c.Name)
	}
	es := parseErrs(t, with("name", "other"))
	if want := `connector inventory: property "name": value "other" differs from the connector's name "inventory"; remove it or make the two equal`; es.Error() != want {
		t.Errorf("got %v", es)
	}

	bad := []struct{ data, want string }{
		{`[1,2]`, `x.json: the file is not a JSON object; expected {"name": "...", "config": {...}}`},
		{`null`, `x.json: the file is not a JSON object`},
		{"{\n  \"name\": \"a\",\n  \"config\": {\"x\": 1,}\n}", `x.json: invalid JSON at line 3, column 22: invalid character '}'`},
		{`{"name":"a","config":{}} trailing`, `x.json: invalid JSON at line 1, column 27`},
		{`{"name":"a"}`, `x.json: the file has no "config" object`},
		{`{"name":"a","config":[1]}`, `x.json: "config" is not a JSON object of properties`},
		{`{"name":5,"config":{}}`, `x.json: "name" is not a JSON string`},
		{`{"config":{"connector.class":"io.debezium.connector.mysql.MySqlConnector","database.hostname":"h","database.user":"u","topic.prefix":"p","database.server.id":1}}`, `x.json: the connector has no name; add "name": "<connector name>" next to "config"`},
		{`{"name":"a\u0001","config":{"connector.class":"io.debezium.connector.mysql.MySqlConnector","database.hostname":"h","database.user":"u","topic.prefix":"p","database.server.id":1}}`, `x.json: property "name": value "a\x01" has control characters`},
	}
	for _, b := range bad {
		_, _, err := ParseConnector([]byte(b.data), "x.json")
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s:\n got %v\nwant %s", b.data, err, b.want)
		}
	}
}

func TestDuplicateAndNullValues(t *testing.T) {
	data := []byte(`{"name":"inventory","config":{
		"connector.class":"io.debezium.connector.mysql.MySqlConnector",
		"database.hostname":"h","database.user":"u","topic.prefix":"p","database.server.id":1,
		"max.batch.size":10,"max.batch.size":20,
		"database.port":null}}`)
	c, warns, err := ParseConnector(data, "x.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxBatchSize != 20 {
		t.Errorf("MaxBatchSize = %d, want the last value 20", c.MaxBatchSize)
	}
	if c.Port != 3306 {
		t.Errorf("null port must leave the default, got %d", c.Port)
	}
	if _, ok := c.Raw["database.port"]; ok {
		t.Error("a null value must not be in Raw")
	}
	if got, want := warningsText(warns), `connector inventory: property "max.batch.size" appears more than once; the last value is used`; got != want {
		t.Errorf("warnings %q, want %q", got, want)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	const pw = "hunter2-secret"
	c, _ := mustParse(t, with("key.converter", ConfluentAvroConverterClass,
		"key.converter.schema.registry.url", "http://x",
		"key.converter.basic.auth.user.info", "user:"+pw,
		"schema.history.internal.producer.sasl.jaas.config", "password="+pw,
	))
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%d"} {
		if s := fmt.Sprintf(f, c); strings.Contains(s, pw) || strings.Contains(s, fmt.Sprintf("%x", pw)) {
			t.Errorf("fmt %s of *Connector leaks the password: %s", f, s)
		}
		if s := fmt.Sprintf(f, *c); strings.Contains(s, pw) {
			t.Errorf("fmt %s of Connector leaks the password", f)
		}
		if s := fmt.Sprintf(f, c.Password); s != Masked {
			t.Errorf("fmt %s of Secret = %q", f, s)
		}
	}
	// zap.Any and encoding/json go through MarshalJSON.
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), pw) {
		t.Errorf("JSON leaks the password: %s", b)
	}
	if !strings.Contains(string(b), `"Password":"********"`) {
		t.Errorf("JSON does not show the masked password: %s", b)
	}
	if tb, _ := c.Password.MarshalText(); string(tb) != Masked {
		t.Errorf("MarshalText = %q", tb)
	}
	if c.Password.String() != Masked || c.Password.GoString() != Masked || c.Password.LogValue().String() != Masked {
		t.Error("String/GoString/LogValue")
	}
	if c.Password.Reveal() != pw || !c.Password.IsSet() {
		t.Error("Reveal must return the value")
	}
	// Raw keeps the real value for code, masked for printing.
	if c.Raw["database.password"] != pw {
		t.Error("Raw must keep the real password")
	}
	if r := c.Raw.Redacted(); r["database.password"] != Masked || r["key.converter.basic.auth.user.info"] != Masked || r["database.hostname"] != "127.0.0.1" {
		t.Errorf("Redacted = %v", r)
	}
	if s := fmt.Sprintf("%v", c.Raw); !strings.Contains(s, "database.password:********") {
		t.Errorf("Properties %%v = %s", s)
	}
	if s := fmt.Sprintf("%#v", c.Raw); !strings.HasPrefix(s, "config.Properties{") || strings.Contains(s, pw) {
		t.Errorf("Properties %%#v = %s", s)
	}
}

func TestSensitiveValueMaskedInErrors(t *testing.T) {
	es := parseErrs(t, with("value.converter", ConfluentAvroConverterClass, "value.converter.schema.registry.url", "http://x", "value.converter.basic.auth.user.info", []any{"u:p"}))
	if strings.Contains(es.Error(), "u:p") {
		t.Errorf("error leaks a secret: %v", es)
	}
	r := newReader("s", nil)
	r.fail("database.password", "pw", "is bad")
	if got := r.errs[0].Error(); got != `s: property "database.password": value "********" is bad` {
		t.Errorf("got %s", got)
	}
}

func TestIsSensitive(t *testing.T) {
	for k, want := range map[string]bool{
		"database.password":                           true,
		"database.ssl.keystore.password":              true,
		"producer.sasl.jaas.config":                   true,
		"value.converter.basic.auth.user.info":        true,
		"schema.history.internal.consumer.ssl.secret": true,
		"database.user":                               false,
		"database.hostname":                           false,
		"topic.prefix":                                false,
	} {
		if IsSensitive(k) != want {
			t.Errorf("IsSensitive(%q) = %v", k, !want)
		}
	}
}

func TestLoadConnectorFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "inventory.json")
	if err := os.WriteFile(p, file(t, "inventory", base()), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err := LoadConnector(p)
	if err != nil || c.Source != p || c.Name != "inventory" {
		t.Fatalf("%v %+v", err, c)
	}
	_, _, err = LoadConnector(filepath.Join(dir, "missing.json"))
	want := filepath.Join(dir, "missing.json") + ": cannot read the connector file: no such file or directory"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Error("a read error must be Errors too")
	}
}

func TestWarningAndErrorText(t *testing.T) {
	e := &Error{Scope: "worker", Key: "k", Origin: "flag", Value: "v", Msg: "is bad"}
	if e.Error() != `worker: property "k" (from flag): value "v" is bad` {
		t.Error(e.Error())
	}
	if (&Error{Scope: "f.json", Msg: "broken"}).Error() != "f.json: broken" {
		t.Error("file-level error")
	}
	w := Warning{Scope: "worker", Key: "k", Origin: "w.properties:3", Msg: "is odd"}
	if w.String() != `worker: property "k" (from w.properties:3) is odd` {
		t.Error(w.String())
	}
}

func TestMetadataTopics(t *testing.T) {
	c, _ := mustParse(t, with())
	if c.ProvideTransactionMetadata || c.TransactionTopic != c.TopicPrefix+".transaction" || c.HeartbeatTopic != "__debezium-heartbeat."+c.TopicPrefix {
		t.Errorf("defaults: %v %q %q", c.ProvideTransactionMetadata, c.TransactionTopic, c.HeartbeatTopic)
	}
	c, _ = mustParse(t, with("provide.transaction.metadata", "true", "topic.delimiter", "_", "topic.transaction", "tx", "topic.heartbeat.prefix", "hb"))
	if !c.ProvideTransactionMetadata || c.TransactionTopic != c.TopicPrefix+"_tx" || c.HeartbeatTopic != "hb_"+c.TopicPrefix {
		t.Errorf("set: %v %q %q", c.ProvideTransactionMetadata, c.TransactionTopic, c.HeartbeatTopic)
	}
}

func TestHeartbeatActionQueryKept(t *testing.T) {
	c, _ := mustParse(t, with("heartbeat.action.query", "  UPDATE hb SET ts = NOW() "))
	if c.HeartbeatActionQuery != "UPDATE hb SET ts = NOW()" {
		t.Errorf("heartbeat.action.query stored as %q", c.HeartbeatActionQuery)
	}
}

// The delays are read, not warned about; initial statements given to a
// Vitess source are (it opens no SQL connection).
func TestUnappliedSettingsWarned(t *testing.T) {
	c, warns := mustParse(t, with("snapshot.delay.ms", "5000", "streaming.delay.ms", "250", "database.initial.statements", "SET NAMES utf8mb4"))
	got := warningsText(warns)
	if c.SnapshotDelay != 5*time.Second || c.StreamingDelay != 250*time.Millisecond || strings.Contains(got, "delay.ms") {
		t.Errorf("delays %v %v, warnings %s; want 5s and 250ms, no warning", c.SnapshotDelay, c.StreamingDelay, got)
	}
	if strings.Contains(got, "database.initial.statements") {
		t.Errorf("the binlog connectors run database.initial.statements, but: %s", got)
	}
	_, warns = mustParse(t, with("connector.class", "io.debezium.connector.vitess.VitessConnector", "vitess.keyspace", "ks",
		"database.initial.statements", "SET NAMES utf8mb4"))
	if want := `property "database.initial.statements" is not run by Sluice's Vitess source`; !strings.Contains(warningsText(warns), want) {
		t.Errorf("missing warning %q in\n%s", want, warningsText(warns))
	}
}

// database.initial.statements is split as Debezium's JdbcConnection splits
// it: ";;" is a semicolon within a statement.
func TestSplitStatements(t *testing.T) {
	for in, want := range map[string]string{
		"":                                     "[]",
		" SET a=1 ":                            "[SET a=1]",
		"SET a=1; SET b=2;":                    "[SET a=1|SET b=2]",
		"INSERT t VALUES ('x;;y');;; ;SET c=3": "[INSERT t VALUES ('x;y');|SET c=3]",
		";;;":                                  "[;]",
	} {
		if got := "[" + strings.Join(SplitStatements(in), "|") + "]"; got != want {
			t.Errorf("SplitStatements(%q) = %s, want %s", in, got, want)
		}
	}
	c, _ := mustParse(t, with("database.initial.statements", "SET SESSION wait_timeout=600;SET @x='a;;b'"))
	if got := strings.Join(c.InitialStatements, "|"); got != "SET SESSION wait_timeout=600|SET @x='a;b'" {
		t.Errorf("InitialStatements %q", got)
	}
}

// Debezium's Vitess connector keeps the common default topic naming
// strategy, the binlog connectors their own: each is accepted for its own.
func TestTopicNamingStrategyDefaultPerClass(t *testing.T) {
	vt := with("connector.class", "io.debezium.connector.vitess.VitessConnector", "vitess.keyspace", "ks",
		"topic.naming.strategy", "io.debezium.schema.SchemaTopicNamingStrategy")
	if c, _ := mustParse(t, vt); c.Flavor != FlavorVitess {
		t.Fatalf("flavor %q", c.Flavor)
	}
	vt["topic.naming.strategy"] = "io.debezium.schema.DefaultTopicNamingStrategy"
	if es := parseErrs(t, vt); !strings.Contains(es.Error(), `names a Vitess table's topic by its shard (<prefix>.<shard>.<table>), which Sluice's Vitess connector does not; use io.debezium.schema.SchemaTopicNamingStrategy (the default`) {
		t.Errorf("Vitess with the binlog connectors' default: %v", es)
	}
}

// DefaultUnicodeTopicNamingStrategy is taken for the binlog connectors, with
// topic.delimiter; the Vitess source refuses it.
func TestUnicodeTopicNaming(t *testing.T) {
	c, _ := mustParse(t, with("topic.naming.strategy", UnicodeTopicNaming, "topic.delimiter", "-"))
	if c.TopicNaming != (TopicNaming{Delimiter: "-", Unicode: true}) {
		t.Errorf("TopicNaming %+v, want delimiter - and Unicode", c.TopicNaming)
	}
	vt := with("connector.class", "io.debezium.connector.vitess.VitessConnector", "vitess.keyspace", "ks",
		"topic.naming.strategy", UnicodeTopicNaming)
	if es := parseErrs(t, vt); !strings.Contains(es.Error(), `"topic.naming.strategy"`) {
		t.Errorf("Vitess with the Unicode strategy: %v, want a refusal", es)
	}
}

// converters: Debezium's TinyIntOneToBooleanConverter is taken for the
// binlog connectors (the MySQL class also under its deprecated name), its
// <name>.* properties known; a converter without a type, another class, the
// MySQL name on the MariaDB class, or any on Vitess is refused.
func TestCustomConverters(t *testing.T) {
	_, warns := mustParse(t, with("converters", "boolean, flags", "boolean.type", TinyIntBooleanClasses[0],
		"boolean.selector", `db\.t\.f`, "boolean.length.checker", "false", "flags.type", TinyIntBooleanClasses[1]))
	for _, w := range warns {
		t.Errorf("warning: %s", w)
	}
	es := parseErrs(t, with("converters", "boolean,other", "boolean.type", TinyIntBooleanClasses[0],
		"other.type", "com.acme.MoneyConverter", "other.scale", 2))
	want := []string{
		`connector inventory: property "other.type": value "com.acme.MoneyConverter" is not a converter Sluice has (it runs no Java; the one it has is Debezium's io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter); remove "other" from "converters"`,
	}
	if got := es.Error(); got != strings.Join(want, "\n") {
		t.Errorf("another class: got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	es = parseErrs(t, with("converters", "boolean"))
	if got := es.Error(); got != `connector inventory: property "boolean.type" is required: "converters" names "boolean"; set it to io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter` {
		t.Errorf("no type: %s", got)
	}
	es = parseErrs(t, with("connector.class", MariaDBConnectorClass, "converters", "boolean", "boolean.type", TinyIntBooleanClasses[1]))
	if got := es.Error(); got != `connector inventory: property "boolean.type": value "io.debezium.connector.mysql.converters.TinyIntOneToBooleanConverter" is the MySQL connector's name of the converter, which Debezium's MariaDB connector does not have (its task fails); set it to io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter` {
		t.Errorf("MariaDB with the MySQL name: %s", got)
	}
	vt := with("connector.class", "io.debezium.connector.vitess.VitessConnector", "vitess.keyspace", "ks",
		"converters", "boolean", "boolean.type", TinyIntBooleanClasses[0])
	if es := parseErrs(t, vt); !strings.Contains(es.Error(), `property "converters": value "boolean" is not supported by Sluice`) {
		t.Errorf("Vitess with converters: %v, want a refusal", es)
	}
}

// Kafka Connect's topic creation groups: in topic.creation.groups order,
// the default group last; a group's partitions and replication factor
// default to the default group's, its other properties are topic configs.
func TestTopicCreationGroups(t *testing.T) {
	c, _ := mustParse(t, with("topic.creation.default.partitions", 3, "topic.creation.default.replication.factor", 1,
		"topic.creation.default.cleanup.policy", "compact",
		"topic.creation.groups", "big, small",
		"topic.creation.big.include", `inventory\.db\.big.*, other\..*`, "topic.creation.big.exclude", `.*_tmp`,
		"topic.creation.big.partitions", 12, "topic.creation.big.retention.ms", "86400000",
		"topic.creation.small.include", `.*`))
	var got []string
	for _, g := range c.TopicCreation {
		got = append(got, fmt.Sprintf("%s p%d rf%d %v", g.Name, g.Partitions, g.ReplicationFactor, g.Configs))
	}
	want := "big p12 rf1 map[retention.ms:86400000] | small p3 rf1 map[] | default p3 rf1 map[cleanup.policy:compact]"
	if strings.Join(got, " | ") != want {
		t.Errorf("groups %s\nwant   %s", strings.Join(got, " | "), want)
	}
	for topic, group := range map[string]string{"inventory.db.bigorders": "big", "inventory.db.big_tmp": "small",
		"other.x": "big", "inventory.db.bigx.y": "big", "xinventory.db.big": "small"} {
		if g := GroupFor(c.TopicCreation, topic); g == nil || g.Name != group {
			t.Errorf("topic %s: group %v, want %s", topic, g, group)
		}
	}
	es := parseErrs(t, with("topic.creation.groups", "g", "topic.creation.g.partitions", 2))
	if !strings.Contains(es.Error(), `property "topic.creation.g.include" is required for the group g of topic.creation.groups`) {
		t.Errorf("a group without include: %v", es)
	}
	es = parseErrs(t, with("topic.creation.default.cleanup.policy", "compact"))
	if !strings.Contains(es.Error(), `property "topic.creation.default.replication.factor" is required once a topic.creation.* property is set`) ||
		!strings.Contains(es.Error(), `property "topic.creation.default.partitions" is required`) {
		t.Errorf("topic creation without the default group's partitions and replication factor: %v", es)
	}
	es = parseErrs(t, with("topic.creation.groups", "g", "topic.creation.g.include", "a(b"))
	if !strings.Contains(es.Error(), `property "topic.creation.g.include": value "a(b" is not a regular expression`) {
		t.Errorf("a bad include: %v", es)
	}
}

// The Vitess connector's own properties: those Sluice does not implement
// that change what is read or sent are refused unless at Debezium's
// default, an unknown vitess.* property draws the unknown-property warning
// (they were all accepted silently), and another gRPC load-balancing
// policy is warned about.
func TestVitessOwnProperties(t *testing.T) {
	vt := func(kv ...any) map[string]any {
		return with(append([]any{"connector.class", "io.debezium.connector.vitess.VitessConnector", "vitess.keyspace", "ks"}, kv...)...)
	}
	_, warns := mustParse(t, vt("vitess.exclude.keyspace.from.table.name", "false", "vitess.gtid", "current",
		"override.datetime.to.nullable", "false", "vitess.stream.keyspace.heartbeats", "false"))
	for _, k := range []string{"vitess.exclude", "vitess.gtid", "override.datetime", "vitess.stream"} {
		if got := warningsText(warns); strings.Contains(got, k) {
			t.Errorf("defaults drew warnings: %s", got)
		}
	}
	for key, val := range map[string]string{
		"vitess.exclude.keyspace.from.table.name": "true",
		"vitess.stream.keyspace.heartbeats":       "true",
		"vitess.exclude.empty.shards":             "true",
		"vitess.shard.epoch.map":                  "x",
		"vitess.inherit.epoch":                    "true",
		"vitess.gtid":                             "MariaDB/0-1-5",
		"override.datetime.to.nullable":           "true",
		"include.unknown.datatypes":               "true",
		"vitess.connector.generation":             "2",
	} {
		errs := parseErrs(t, vt(key, val))
		if want := `property "` + key + `": value "` + val + `" is not supported by Sluice`; !strings.Contains(errs.Error(), want) {
			t.Errorf("%s=%s: %v, want %s", key, val, errs, want)
		}
	}
	for key, want := range map[string]string{
		"signal.enabled.channels":       `names "kafka", which Sluice does not serve (the Vitess connector takes no signals)`,
		"notification.enabled.channels": `names "mychannel", which Sluice does not serve (no custom notification channel is loaded)`,
	} {
		val := "sink,mychannel"
		if key == "signal.enabled.channels" {
			val = "source,kafka"
		}
		if errs := parseErrs(t, vt(key, val)); !strings.Contains(errs.Error(), want) {
			t.Errorf("%s=%s: %v, want %s", key, val, errs, want)
		}
	}
	_, warns = mustParse(t, vt("vitess.no.such.thing", "1", "vitess.grpc.default.load.balancing.policy", "round_robin"))
	got := warningsText(warns)
	for _, want := range []string{`property "vitess.no.such.thing" is not known to Sluice and is ignored`,
		`property "vitess.grpc.default.load.balancing.policy" is ignored by Sluice`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing warning %q in\n%s", want, got)
		}
	}
	// Not a property of the binlog connectors: unknown there.
	_, warns = mustParse(t, with("override.datetime.to.nullable", "true"))
	if got := warningsText(warns); !strings.Contains(got, `property "override.datetime.to.nullable" is not known to Sluice`) {
		t.Errorf("MySQL class: %s", got)
	}
}

// A finished snapshot's tables are listed (and read) as Debezium 3.5's
// RelationalSnapshotChangeEventSource orders them: table.include.list's
// patterns in order, each one's tables sorted by bytes; all sorted without
// an include list.
func TestCaptureOrder(t *testing.T) {
	names := []string{"db.t_str", "db.ta", "db.zz", "db.B", "db.a2", "db.a1", "db.sig"}
	for _, tc := range []struct {
		include, exclude string
		want             string
	}{
		{"", "", "db.B,db.a1,db.a2,db.sig,db.t_str,db.ta,db.zz"},
		{"", `db\.none`, "db.B,db.a1,db.a2,db.sig,db.t_str,db.ta,db.zz"},
		{`db\.zz,db\.a.*,DB\.T_STR,db\..*`, "", "db.zz,db.a1,db.a2,db.t_str,db.B,db.sig,db.ta"},
	} {
		kv := []any{}
		if tc.include != "" {
			kv = append(kv, "table.include.list", tc.include)
		}
		if tc.exclude != "" {
			kv = append(kv, "table.exclude.list", tc.exclude)
		}
		c, _ := mustParse(t, with(kv...))
		if got := strings.Join(c.CaptureOrder(names), ","); got != tc.want {
			t.Errorf("include %q exclude %q: %s, want %s", tc.include, tc.exclude, got, tc.want)
		}
	}
}

// internal.log.position.check.enable (Debezium's internal property,
// default true) is read, not warned about as unknown.
func TestLogPositionCheck(t *testing.T) {
	c, warns := mustParse(t, with("internal.log.position.check.enable", "false"))
	if !c.SkipPositionCheck || strings.Contains(warningsText(warns), "log.position") {
		t.Errorf("skip %v, warnings %s; want the check off and no warning", c.SkipPositionCheck, warningsText(warns))
	}
	if c, _ := mustParse(t, with()); c.SkipPositionCheck {
		t.Error("the check is off by default")
	}
}

// Debezium's internal properties carry Field.createInternal's "internal."
// prefix, and Kafka Connect 4.x adds plugin versions and tasks.max.enforce:
// all are accepted without a warning, as Kafka Connect's validate lists them
// for the MariaDB class.
func TestInternalAndPluginVersionPropertiesKnown(t *testing.T) {
	_, warns := mustParse(t, with("internal.advanced.metrics.enable", "false", "internal.legacy.snapshot.max.threads", "false",
		"internal.snapshot.scan.all.columns.force", "false", "connector.plugin.version", "3.5.0.Final",
		"key.converter.plugin.version", "4.1.2", "value.converter.plugin.version", "4.1.2",
		"header.converter.plugin.version", "4.1.2", "tasks.max.enforce", "true"))
	if got := warningsText(warns); got != "" {
		t.Errorf("warnings: %s", got)
	}
}

// Kafka Connect's exactly-once settings: required on the MySQL and MariaDB
// connectors (Debezium declares exactly-once support for them), refused on
// Vitess (Debezium declares none); transaction.boundary.interval.ms taken
// with interval.
func TestExactlyOnceSettings(t *testing.T) {
	c, warns := mustParse(t, with("exactly.once.support", "Required", "transaction.boundary", "interval", "transaction.boundary.interval.ms", 250))
	if len(warns) != 0 || !c.ExactlyOnceRequired || c.TransactionBoundary != "interval" || c.TransactionBoundaryInterval != 250*time.Millisecond {
		t.Errorf("required, interval: %v %v %q %v", warns, c.ExactlyOnceRequired, c.TransactionBoundary, c.TransactionBoundaryInterval)
	}
	if c, _ := mustParse(t, with("connector.class", MariaDBConnectorClass)); c.ExactlyOnceRequired || c.TransactionBoundary != "poll" {
		t.Errorf("defaults: %v %q", c.ExactlyOnceRequired, c.TransactionBoundary)
	}
	vt := with("connector.class", "io.debezium.connector.vitess.VitessConnector", "vitess.keyspace", "ks", "exactly.once.support", "required")
	if es := parseErrs(t, vt); !strings.Contains(es.Error(), `property "exactly.once.support": value "required" is not supported by Sluice (Debezium's Vitess connector does not declare exactly-once support`) {
		t.Errorf("Vitess with required: %v, want a refusal", es)
	}
}

// DefaultRegexTopicNamingStrategy is taken for the binlog connectors with
// Debezium's checks, and a replacement naming a group the regex lacks is
// refused at start; the Vitess source refuses the strategy.
func TestRegexTopicNaming(t *testing.T) {
	c, warns := mustParse(t, with("topic.naming.strategy", RegexTopicNaming, "topic.regex", `(.*)_\d+`,
		"topic.replacement", "$1_all", "topic.key.field.name", "origin"))
	if r := c.TopicNaming.Regex; r == nil || r.TopicReplacement != "$1_all" || r.KeyField != "origin" || r.KeyRegex != nil {
		t.Errorf("TopicNaming.Regex %+v", c.TopicNaming.Regex)
	}
	for _, w := range warns {
		t.Errorf("warning: %s", w)
	}
	for _, x := range []struct {
		kv   []any
		want string
	}{
		{nil, `property "topic.regex" is required; set it to the regex that picks the tables' topics to route`},
		{[]any{"topic.regex", "(.*)"}, `property "topic.replacement" must be non-empty when topic.regex is set`},
		{[]any{"topic.regex", "(.*)", "topic.replacement", "$2"}, `property "topic.replacement": value "$2" replacement "$2": no group 2; refer only to groups topic.regex has`},
		{[]any{"topic.regex", "(?=a).*", "topic.replacement", "x"}, `property "topic.regex": value "(?=a).*" "(?=a).*" is not a regular expression Sluice can run (RE2 syntax: no lookaround or backreferences)`},
		{[]any{"topic.regex", "(.*)", "topic.replacement", "x", "topic.key.field.regex", "(.*)"}, `property "topic.key.field.replacement" must be non-empty when topic.key.field.regex is set`},
		{[]any{"topic.regex", "(.*)", "topic.replacement", "x", "topic.key.field.name", " "}, `property "topic.key.field.name" is empty; name the key field`},
	} {
		es := parseErrs(t, with(append([]any{"topic.naming.strategy", RegexTopicNaming}, x.kv...)...))
		if !strings.Contains(es.Error(), x.want) || len(es) != 1 {
			t.Errorf("%q: got\n%v\nwant one error with %s", x.kv, es, x.want)
		}
	}
	vt := with("connector.class", "io.debezium.connector.vitess.VitessConnector", "vitess.keyspace", "ks",
		"topic.naming.strategy", RegexTopicNaming, "topic.regex", "(.*)", "topic.replacement", "x")
	if es := parseErrs(t, vt); !strings.Contains(es.Error(), `"topic.naming.strategy"`) {
		t.Errorf("Vitess with the regex strategy: %v, want a refusal", es)
	}
}

// The Vitess connector's strategies: its TableTopicNamingStrategy names
// topics <prefix>.<table>, or <override.data.change.topic.prefix>.<table>
// but for the tables the exclude list names, and sends schema change
// events to override.schema.change.topic; the Schema* kinds are taken.
func TestVitessTopicNaming(t *testing.T) {
	vt := func(kv ...any) map[string]any {
		return with(append([]any{"connector.class", "io.debezium.connector.vitess.VitessConnector", "vitess.keyspace", "ks"}, kv...)...)
	}
	c, warns := mustParse(t, vt("topic.naming.strategy", VitessTableTopicNaming, "override.data.change.topic.prefix", "shared",
		"override.data.change.topic.prefix.exclude.list", `ks\.heartbeat`, "override.schema.change.topic", "shared-ddl"))
	for _, w := range warns {
		if strings.Contains(w.String(), "override") || strings.Contains(w.String(), "topic.naming") {
			t.Errorf("warning: %s", w)
		}
	}
	if c.SchemaChangeTopic != "shared-ddl" {
		t.Errorf("SchemaChangeTopic %q", c.SchemaChangeTopic)
	}
	for _, x := range [][2]string{{"orders", "shared.orders"}, {"heartbeat", "inventory.heartbeat"}} {
		if topic, _, err := c.TopicNaming.TableTopic("inventory", "ks", x[0]); topic != x[1] || err != nil {
			t.Errorf("table %s: topic %q, %v; want %q", x[0], topic, err, x[1])
		}
	}
	plain, _ := mustParse(t, vt("topic.naming.strategy", VitessTableTopicNaming))
	if topic, _, _ := plain.TopicNaming.TableTopic("inventory", "ks", "orders"); topic != "inventory.orders" || plain.SchemaChangeTopic != "" {
		t.Errorf("without overrides: topic %q, schema change topic %q", topic, plain.SchemaChangeTopic)
	}
	rx, _ := mustParse(t, vt("topic.naming.strategy", "io.debezium.schema.SchemaRegexTopicNamingStrategy", "topic.regex", `(.*)_\d+`, "topic.replacement", "$1"))
	if topic, physical, _ := rx.TopicNaming.TableTopic("inventory", "ks", "orders_7"); topic != "inventory.ks.orders" || physical != "inventory.ks.orders_7" {
		t.Errorf("SchemaRegexTopicNamingStrategy: %q, %q", topic, physical)
	}
	uni, _ := mustParse(t, vt("topic.naming.strategy", "io.debezium.schema.SchemaUnicodeTopicNamingStrategy"))
	if topic, _, _ := uni.TopicNaming.TableTopic("inventory", "ks", "a_b"); topic != "inventory.ks.a_u005fb" {
		t.Errorf("SchemaUnicodeTopicNamingStrategy: %q", topic)
	}
	if es := parseErrs(t, vt("topic.naming.strategy", "com.acme.Strategy")); !strings.Contains(es.Error(), "use one of Debezium's: "+VitessTableTopicNaming+", io.debezium.schema.SchemaRegexTopicNamingStrategy") {
		t.Errorf("another class: %v", es)
	}
}
