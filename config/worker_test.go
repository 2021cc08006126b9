package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "worker.properties")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWorkerDefaults(t *testing.T) {
	w, warns, err := LoadWorker("", []string{"SLUICE_BOOTSTRAP_SERVERS=localhost:9092", "HOME=/root", "PATH=/bin"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %s", warningsText(warns))
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"BootstrapServers", fmt.Sprint(w.BootstrapServers), "[localhost:9092]"},
		{"OffsetsTopic", w.OffsetsTopic, "_connect_offsets"},
		{"OffsetsPartitions", w.OffsetsPartitions, int32(25)},
		{"OffsetsReplicationFactor", w.OffsetsReplicationFactor, int16(-1)},
		{"OffsetFlushInterval", w.OffsetFlushInterval, time.Duration(0)},
		{"OffsetFlushTimeout", w.OffsetFlushTimeout, time.Duration(0)},
		{"LogLevel", w.LogLevel, "info"},
		{"LogFormat", w.LogFormat, "json"},
		{"Listeners", len(w.Listeners), 0},
		{"Producer", len(w.Producer), 0},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %#v, want %#v", ck.name, ck.got, ck.want)
		}
	}
}

func TestWorkerBootstrapRequired(t *testing.T) {
	_, _, err := LoadWorker("", nil, nil)
	want := `worker: property "bootstrap.servers" is required; set it to the Kafka brokers to connect to, as host:port[,host:port...] (or SLUICE_BOOTSTRAP_SERVERS)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

func TestWorkerFileEnvFlagPrecedence(t *testing.T) {
	file := writeFile(t, `# Kafka Connect worker file
bootstrap.servers=file1:9092, file2:9092
offset.storage.topic=file-offsets
offset.storage.partitions=10
offset.storage.replication.factor=3
offset.flush.interval.ms=10000
offset.flush.timeout.ms=2000
log.level=debug
log.format=console
listeners=HTTP://127.0.0.1:8083, http://:18083
rest.advertised.host.name=sluice-1
producer.compression.type=lz4
producer.linger.ms=5
producer.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
    username="u" password="p";
group.id=connect-cluster
key.converter=org.apache.kafka.connect.json.JsonConverter
config.storage.topic=connect-configs
status.storage.topic=connect-status
plugin.path=/usr/share/java
`)
	// File only.
	w, warns, err := LoadWorker(file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Only the SASL setting, which Sluice cannot apply, draws a warning.
	if want := `worker: property "producer.sasl.jaas.config" (from ` + file + `:14) is ignored: security.protocol is PLAINTEXT, which does not use SASL`; len(warns) != 1 || warns[0].String() != want {
		t.Errorf("a Kafka Connect worker file drew warnings:\n%s\nwant only\n%s", warningsText(warns), want)
	}
	if fmt.Sprint(w.BootstrapServers) != "[file1:9092 file2:9092]" || w.OffsetsTopic != "file-offsets" ||
		w.OffsetsPartitions != 10 || w.OffsetsReplicationFactor != 3 || w.OffsetFlushInterval != 10*time.Second ||
		w.OffsetFlushTimeout != 2*time.Second || w.LogLevel != "debug" || w.LogFormat != "console" ||
		fmt.Sprint(w.Listeners) != "[127.0.0.1:8083 :18083]" || w.AdvertisedHost != "sluice-1" {
		t.Errorf("file values: %+v", w)
	}
	if w.Producer["compression.type"] != "lz4" || w.Producer["linger.ms"] != "5" ||
		w.Producer["sasl.jaas.config"] != `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";` || len(w.Producer) != 3 {
		t.Errorf("Producer = %v", map[string]string(w.Producer))
	}
	if s := fmt.Sprintf("%+v", w); strings.Contains(s, `password="p"`) {
		t.Errorf("worker %%+v leaks the JAAS password: %s", s)
	}

	// Environment beats the file.
	env := []string{
		"SLUICE_BOOTSTRAP_SERVERS=env:9092",
		"SLUICE_OFFSETS_TOPIC=env-offsets", // alias
		"SLUICE_LOG_LEVEL=warn",
		"SLUICE_PRODUCER_COMPRESSION_TYPE=zstd",
		"SLUICE_PRODUCER_ACKS=all",
		"SLUICE_LISTENERS=",
	}
	w, _, err = LoadWorker(file, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(w.BootstrapServers) != "[env:9092]" || w.OffsetsTopic != "env-offsets" || w.LogLevel != "warn" ||
		w.Producer["compression.type"] != "zstd" || w.Producer["acks"] != "all" || len(w.Listeners) != 0 || w.LogFormat != "console" {
		t.Errorf("env values: %+v", w)
	}

	// Flags beat the environment.
	w, _, err = LoadWorker(file, env, map[string]string{
		"bootstrap.servers":         "flag:9092",
		"log.level":                 "error",
		"producer.compression.type": "gzip",
		"offset.storage.topic":      "flag-offsets",
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(w.BootstrapServers) != "[flag:9092]" || w.LogLevel != "error" || w.Producer["compression.type"] != "gzip" || w.OffsetsTopic != "flag-offsets" || w.OffsetsPartitions != 10 {
		t.Errorf("flag values: %+v", w)
	}
	if w.Raw["log.level"] != "error" || w.Raw["offset.storage.partitions"] != "10" {
		t.Errorf("Raw = %v", w.Raw)
	}
}

func TestWorkerEnvNames(t *testing.T) {
	for prop, want := range map[string]string{
		"bootstrap.servers":                 "SLUICE_BOOTSTRAP_SERVERS",
		"offset.storage.topic":              "SLUICE_OFFSET_STORAGE_TOPIC",
		"offset.storage.replication.factor": "SLUICE_OFFSET_STORAGE_REPLICATION_FACTOR",
		"producer.compression.type":         "SLUICE_PRODUCER_COMPRESSION_TYPE",
	} {
		if got := EnvName(prop); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", prop, got, want)
		}
	}
	// The regular name wins over the alias, with a warning when they differ.
	w, warns, err := LoadWorker("", []string{
		"SLUICE_BOOTSTRAP_SERVERS=k:9092",
		"SLUICE_OFFSETS_TOPIC=alias",
		"SLUICE_OFFSET_STORAGE_TOPIC=regular",
		"SLUICE_OFFSETS_PARTITIONS=3",
		"SLUICE_NOT_A_THING=1",
		"SLUICE_LOG_LEVEL=debug",
		"SLUICE_LOG_LEVEL=error", // the last assignment wins
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.OffsetsTopic != "regular" || w.OffsetsPartitions != 3 || w.LogLevel != "error" {
		t.Errorf("%+v", w)
	}
	got := warningsText(warns)
	for _, want := range []string{
		"worker: environment variables SLUICE_OFFSET_STORAGE_TOPIC and SLUICE_OFFSETS_TOPIC are both set; SLUICE_OFFSET_STORAGE_TOPIC is used",
		"worker: environment variable SLUICE_NOT_A_THING does not name a worker property and is ignored",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing warning %q in\n%s", want, got)
		}
	}
}

// The variables the command reads for itself, and the local servers'
// addresses that eval "$(deploy/local/up.sh)" exports, get no warning: the
// quickstart printed six of them before its change events.
func TestWorkerEnvOwnNames(t *testing.T) {
	_, warns, err := LoadWorker("", []string{
		"SLUICE_BOOTSTRAP_SERVERS=k:9092",
		"SLUICE_WORKER_CONFIG=/etc/sluice/worker.properties",
		"SLUICE_CPUPROFILE=/tmp/cpu.pprof",
		"SLUICE_HEAPPROFILE=/tmp/heap.pprof",
		"SLUICE_TEST_MYSQL_ADDR=127.0.0.1:23306",
		"SLUICE_TEST_KAFKA_TLS_DIR=/tmp/tls",
		"SLUICE_BOOTSTRAP_SERVER=typo:9092",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "worker: environment variable SLUICE_BOOTSTRAP_SERVER does not name a worker property and is ignored"
	if got := warningsText(warns); got != want {
		t.Errorf("warnings:\n%s\nwant only:\n%s", got, want)
	}
}

func TestWorkerBadValues(t *testing.T) {
	cases := []struct {
		prop, value, want string
	}{
		{"bootstrap.servers", "kafka", `property "bootstrap.servers" (from ORIGIN): value "kafka" has the address "kafka", which is not host:port; use host:port[,host:port...]`},
		{"bootstrap.servers", "k:9092,k2:port", `has the address "k2:port", which is not host:port`},
		{"bootstrap.servers", ":9092", `has the address ":9092", which is not host:port`},
		{"bootstrap.servers", ",,", `value ",," lists no address; use host:port[,host:port...]`},
		{"bootstrap.servers", "", `property "bootstrap.servers" (from ORIGIN) is required`},
		{"offset.storage.topic", "bad topic", `property "offset.storage.topic" (from ORIGIN): value "bad topic" has characters Kafka does not allow in a topic name; use only letters, digits, '.', '_' and '-' (default _connect_offsets)`},
		{"offset.storage.topic", "..", `value ".." is not a legal Kafka topic name`},
		{"offset.storage.topic", "", `property "offset.storage.topic" (from ORIGIN) is empty; use a Kafka topic name (default _connect_offsets)`},
		{"offset.storage.partitions", "x", `property "offset.storage.partitions" (from ORIGIN): value "x" is not an integer; use a positive integer (default 25)`},
		{"offset.storage.partitions", "0", `value "0" is out of range; use a positive integer (default 25)`},
		{"offset.storage.replication.factor", "0", `property "offset.storage.replication.factor" (from ORIGIN): value "0" is out of range; use -1 (the broker's default) or a positive integer (default -1)`},
		{"offset.flush.interval.ms", "0", `property "offset.flush.interval.ms" (from ORIGIN): value "0" is out of range; use a positive number of milliseconds (default each connector's, 60000)`},
		{"offset.flush.timeout.ms", "soon", `value "soon" is not an integer; use a positive number of milliseconds (default each connector's, 5000)`},
		{"log.level", "trace", `property "log.level" (from ORIGIN): value "trace" is not one of the allowed values; use one of debug, info, warn, error (default info)`},
		{"log.format", "xml", `property "log.format" (from ORIGIN): value "xml" is not one of the allowed values; use one of json, console (default json)`},
		{"listeners", "8083", `property "listeners" (from ORIGIN): value "8083" has "8083", which is not http://host:port; use e.g. http://:8083 or http://127.0.0.1:8083, or leave it empty to turn the REST API off`},
		{"listeners", "http://h:99999", `has "http://h:99999", which is not http://host:port`},
		{"listeners", "https://:8443", `has "https://:8443": Sluice serves its REST API over plain HTTP only; use http:// behind a TLS-terminating proxy`},
		{"listeners", "tcp://:8083", `has "tcp://:8083", whose protocol is not http`},
		{"rest.advertised.port", "x", `property "rest.advertised.port" (from ORIGIN): value "x" is not an integer; use a port number (default 0)`},
		{"topic.tracking.allow.reset", "no", `property "topic.tracking.allow.reset" (from ORIGIN): value "no" is not a boolean; use true or false (default true)`},
	}
	for _, tc := range cases {
		t.Run(tc.prop+"="+tc.value, func(t *testing.T) {
			others := map[string]string{"bootstrap.servers": "k:9092"}
			delete(others, tc.prop)
			sources := []struct {
				origin string
				load   func() (*Worker, []Warning, error)
			}{
				{"flag", func() (*Worker, []Warning, error) {
					f := map[string]string{tc.prop: tc.value}
					for k, v := range others {
						f[k] = v
					}
					return LoadWorker("", nil, f)
				}},
				{"environment variable " + EnvName(tc.prop), func() (*Worker, []Warning, error) {
					return LoadWorker("", []string{EnvName(tc.prop) + "=" + tc.value}, others)
				}},
				{"FILE:1", func() (*Worker, []Warning, error) {
					return LoadWorker(writeFile(t, tc.prop+"="+tc.value+"\n"), nil, others)
				}},
			}
			for _, src := range sources {
				w, _, err := src.load()
				if err == nil {
					t.Fatalf("%s: no error, got %+v", src.origin, w)
				}
				if w != nil {
					t.Errorf("worker returned with errors")
				}
				var es Errors
				if !errors.As(err, &es) {
					t.Fatalf("%T", err)
				}
				want := strings.ReplaceAll(tc.want, "ORIGIN", src.origin)
				got := err.Error()
				if src.origin == "FILE:1" {
					got = strings.ReplaceAll(got, filepathOf(es), "FILE")
				}
				if !strings.Contains(got, want) || !strings.HasPrefix(got, "worker: ") {
					t.Errorf("%s:\n got %s\nwant %s", src.origin, got, want)
				}
			}
		})
	}
}

// filepathOf digs the file path out of the first error's origin.
func filepathOf(es Errors) string {
	for _, e := range es {
		if i := strings.LastIndex(e.Origin, ":"); i > 0 {
			return e.Origin[:i]
		}
	}
	return "\x00"
}

func TestWorkerUnknownKeys(t *testing.T) {
	file := writeFile(t, "bootstrap.servers=k:9092\nlog.levle=debug\nfoo=bar\nrequest.timeout.ms=5000\nbootstrap.servers=k2:9092\n")
	w, warns, err := LoadWorker(file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(w.BootstrapServers) != "[k2:9092]" {
		t.Errorf("last value must win: %v", w.BootstrapServers)
	}
	got := warningsText(warns)
	for _, want := range []string{
		`worker: property "bootstrap.servers" (from ` + file + `:5) is also set on line 1; the last value is used`,
		`worker: property "log.levle" (from ` + file + `:2) is not known to Sluice and is ignored; did you mean "log.level"?`,
		`worker: property "foo" (from ` + file + `:3) is not known to Sluice and is ignored`,
		`worker: property "request.timeout.ms" (from ` + file + `:4) is a Kafka client setting Sluice does not apply; it applies producer.client.id, producer.compression.type, producer.linger.ms, producer.batch.size`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing warning\n  %s\nin\n%s", want, got)
		}
	}
	if len(warns) != 4 {
		t.Errorf("got %d warnings, want 4", len(warns))
	}

	_, _, err = LoadWorker("", nil, map[string]string{"bootstrap.servers": "k:9092", "log.lvl": "x", "producer.": "y"})
	if err == nil {
		t.Fatal("unknown flags must be errors")
	}
	var es Errors
	errors.As(err, &es)
	keys := []string{}
	for _, e := range es {
		keys = append(keys, e.Key)
	}
	if !slices.Equal(keys, []string{"log.lvl", "producer."}) || !strings.Contains(es[0].Error(), `worker: property "log.lvl" (from flag) is not a worker property; use one of bootstrap.servers,`) {
		t.Errorf("got %v", err)
	}
}

// Sluice's Kafka connections are plaintext: a worker set up for TLS or
// SASL is refused with why, its other security settings draw a warning,
// and producer settings it does not apply are named.
func TestWorkerFileErrors(t *testing.T) {
	_, _, err := LoadWorker(filepath.Join(t.TempDir(), "nope.properties"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "worker: cannot read the worker file ") || !strings.HasSuffix(err.Error(), "nope.properties: no such file or directory") {
		t.Errorf("got %v", err)
	}
	p := writeFile(t, "bootstrap.servers=k:9092\na=\\u00zz\n")
	_, _, err = LoadWorker(p, nil, nil)
	if err == nil || err.Error() != "worker: "+p+`: line 2: malformed \uXXXX escape "\\u00zz"` {
		t.Errorf("got %v", err)
	}
}

func TestFlushSettingsFor(t *testing.T) {
	c, _ := mustParse(t, base())
	w := &Worker{}
	if w.FlushIntervalFor(c) != 60*time.Second || w.FlushTimeoutFor(c) != 5*time.Second {
		t.Error("defaults")
	}
	w = &Worker{OffsetFlushInterval: 10 * time.Second, OffsetFlushTimeout: time.Second}
	if w.FlushIntervalFor(c) != 10*time.Second || w.FlushTimeoutFor(c) != time.Second {
		t.Error("the worker's setting applies when the connector has none")
	}
	c, _ = mustParse(t, with("offset.flush.interval.ms", 3000, "offset.flush.timeout.ms", 300))
	if w.FlushIntervalFor(c) != 3*time.Second || w.FlushTimeoutFor(c) != 300*time.Millisecond {
		t.Error("the connector's own setting wins")
	}
}

// TestWorkerConverters: a worker's key.converter and value.converter apply to
// connectors that name none, with the worker's settings; a connector's own
// converter takes only its own settings.
func TestWorkerConverters(t *testing.T) {
	file := filepath.Join(t.TempDir(), "worker.properties")
	props := "bootstrap.servers=localhost:9092\n" +
		"value.converter=io.confluent.connect.avro.AvroConverter\n" +
		"value.converter.schema.registry.url=http://r1:8081,http://r2:8081\n" +
		"value.converter.auto.register.schemas=false\n" +
		"key.converter=org.apache.kafka.connect.json.JsonConverter\n" +
		"key.converter.schemas.enable=false\n"
	if err := os.WriteFile(file, []byte(props), 0o600); err != nil {
		t.Fatal(err)
	}
	w, warns, err := LoadWorker(file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	c, _ := mustParse(t, with())
	k, v := w.ConvertersFor(c)
	if k.Class != JSONConverterClass || k.SchemasEnable {
		t.Errorf("key converter %+v, want the worker's JSON without schemas", k)
	}
	if v.Class != ConfluentAvroConverterClass || v.RegistryURL() != "http://r1:8081,http://r2:8081" || v.Props["auto.register.schemas"] != "false" {
		t.Errorf("value converter %+v, want the worker's Avro", v)
	}
	c, _ = mustParse(t, with("value.converter", JSONConverterClass))
	if _, v := w.ConvertersFor(c); v.Class != JSONConverterClass || !v.SchemasEnable || len(v.Props) != 0 {
		t.Errorf("connector's own value converter %+v", v)
	}

	if err := os.WriteFile(file, []byte("bootstrap.servers=localhost:9092\nvalue.converter=io.confluent.connect.avro.AvroConverter\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadWorker(file, nil, nil); err == nil || !strings.Contains(err.Error(), "value.converter.schema.registry.url") {
		t.Errorf("worker Avro converter without URL: %v", err)
	}
}

// Header values are written as the default header converter writes them:
// another converter is refused, the default accepted.
func TestWorkerHeaderConverter(t *testing.T) {
	env := []string{"SLUICE_BOOTSTRAP_SERVERS=localhost:9092"}
	if _, _, err := LoadWorker(writeFile(t, "header.converter="+SimpleHeaderConverter+"\n"), env, nil); err != nil {
		t.Errorf("the default header converter: %v", err)
	}
	_, _, err := LoadWorker(writeFile(t, "header.converter=org.apache.kafka.connect.json.JsonConverter\n"), env, nil)
	if err == nil || !strings.Contains(err.Error(), `property "header.converter"`) || !strings.Contains(err.Error(), "is not supported by Sluice") {
		t.Errorf("JsonConverter as header.converter: %v", err)
	}
}

// A Kafka Connect worker's exactly-once settings are read: enabled runs
// the MySQL and MariaDB connectors exactly once, under transactional ids
// that begin with group.id, with Kafka's transaction timeout bounded as
// the broker bounds it.
func TestWorkerExactlyOnce(t *testing.T) {
	env := []string{"SLUICE_BOOTSTRAP_SERVERS=localhost:9092"}
	w, warns, err := LoadWorker(writeFile(t, "exactly.once.source.support=Enabled\ngroup.id=connect-cluster\nproducer.transaction.timeout.ms=60000\n"), env, nil)
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	if !w.ExactlyOnceSource || w.GroupID != "connect-cluster" || w.TransactionTimeout != time.Minute {
		t.Errorf("enabled: %v %q %v", w.ExactlyOnceSource, w.GroupID, w.TransactionTimeout)
	}
	for _, v := range []string{"disabled", "preparing"} {
		w, warns, err := LoadWorker(writeFile(t, "exactly.once.source.support="+v+"\n"), env, nil)
		if err != nil || len(warns) != 0 || w.ExactlyOnceSource || w.GroupID != "sluice" || w.TransactionTimeout != 15*time.Minute {
			t.Errorf("%s: %v %v %+v", v, err, warns, w)
		}
	}
	_, _, err = LoadWorker(writeFile(t, "exactly.once.source.support=on\n"), env, nil)
	if err == nil || !strings.Contains(err.Error(), `value "on" is not one of the allowed values; use one of disabled, preparing, enabled`) {
		t.Errorf("on: %v", err)
	}
	_, _, err = LoadWorker(writeFile(t, "producer.transaction.timeout.ms=10\n"), env, nil)
	if err == nil || !strings.Contains(err.Error(), `value "10" is not a number of milliseconds of at least 1000`) {
		t.Errorf("timeout 10: %v", err)
	}
}

// TestLoadWorkerOffline: without bootstrap.servers (sluice validate) the
// worker's other settings still apply; another bad value is still an error.
func TestLoadWorkerOffline(t *testing.T) {
	w, _, err := LoadWorkerOffline(writeFile(t, "producer.transaction.timeout.ms=1000\n"), nil, nil)
	if err != nil || w.TransactionTimeout != time.Second || len(w.BootstrapServers) != 0 {
		t.Fatalf("offline: %+v, %v; want the timeout read and no error", w, err)
	}
	if _, _, err := LoadWorker(writeFile(t, "producer.transaction.timeout.ms=1000\n"), nil, nil); err == nil {
		t.Error("LoadWorker without bootstrap.servers: no error")
	}
	if _, _, err := LoadWorkerOffline(writeFile(t, "producer.transaction.timeout.ms=abc\n"), nil, nil); err == nil || !strings.Contains(err.Error(), "producer.transaction.timeout.ms") {
		t.Errorf("offline with a bad timeout: %v, want it named", err)
	}
}
