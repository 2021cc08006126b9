package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Worker is the process-wide configuration: where Kafka is, where offsets
// live, how to log. Read-only once loaded.
type Worker struct {
	// Providers are the config providers config.providers defines, which
	// resolve ${provider:path:key} in the worker's values and connectors'.
	Providers Providers
	// BootstrapServers is bootstrap.servers split on commas: host:port pairs.
	BootstrapServers []string
	// OffsetsTopic is offset.storage.topic, default "_connect_offsets".
	OffsetsTopic string
	// OffsetsPartitions is offset.storage.partitions, default 25 (Kafka
	// Connect's); used only when Sluice creates the topic.
	OffsetsPartitions int32
	// OffsetsReplicationFactor is offset.storage.replication.factor, default
	// -1: the broker's default.replication.factor.
	OffsetsReplicationFactor int16
	// ExactlyOnceSource is exactly.once.source.support=enabled: every MySQL
	// and MariaDB connector runs exactly once, its records and offsets in
	// Kafka transactions whose ids begin with GroupID (group.id, default
	// "sluice"), which time out after TransactionTimeout
	// (producer.transaction.timeout.ms, default 15 minutes).
	ExactlyOnceSource  bool
	GroupID            string
	TransactionTimeout time.Duration
	// OffsetFlushInterval and OffsetFlushTimeout are offset.flush.interval.ms
	// and offset.flush.timeout.ms; 0 when not set here. See
	// FlushIntervalFor and FlushTimeoutFor.
	OffsetFlushInterval time.Duration
	OffsetFlushTimeout  time.Duration
	// LogLevel is log.level: debug, info (default), warn or error.
	LogLevel string
	// LogFormat is log.format: json (default) or console.
	LogFormat string
	// Producer holds the producer.* properties with the prefix removed
	// (e.g. "compression.type", "sasl.jaas.config"); Sluice applies
	// ProducerSettings of them.
	Producer Properties
	// Kafka is how every Kafka connection is encrypted and authenticated:
	// security.protocol with its ssl.* and sasl.* settings (or their
	// producer.* forms).
	Kafka KafkaSecurity
	// Listeners are Kafka Connect's listeners, as host:port: where the REST
	// API and metrics are served. None (the default) turns them off.
	Listeners []string
	// AdvertisedHost and AdvertisedPort are rest.advertised.host.name and
	// rest.advertised.port: the worker_id statuses give ("" and 0: the
	// host's name and the first listener's port).
	AdvertisedHost string
	AdvertisedPort int
	// TopicTracking and TopicTrackingReset are topic.tracking.enable and
	// topic.tracking.allow.reset (both true by default): whether the REST
	// API lists the active topics and lets them be reset.
	TopicTracking, TopicTrackingReset bool
	// KeyConverter and ValueConverter are the worker's key.converter and
	// value.converter with their settings, nil when unset: the converters of
	// connectors that do not name their own (ConvertersFor).
	KeyConverter, ValueConverter *ConverterConfig
	// Raw is every property after merging file, environment and flags.
	Raw Properties
}

// Worker defaults.
const (
	DefaultOffsetsTopic      = "_connect_offsets"
	DefaultOffsetsPartitions = 25
	DefaultLogLevel          = "info"
	DefaultLogFormat         = "json"
)

// Worker property names.
const (
	PropBootstrapServers         = "bootstrap.servers"
	PropOffsetsTopic             = "offset.storage.topic"
	PropOffsetsPartitions        = "offset.storage.partitions"
	PropOffsetsReplicationFactor = "offset.storage.replication.factor"
	PropOffsetFlushInterval      = "offset.flush.interval.ms"
	PropOffsetFlushTimeout       = "offset.flush.timeout.ms"
	PropLogLevel                 = "log.level"
	PropLogFormat                = "log.format"
	PropListeners                = "listeners"
	PropAdvertisedHost           = "rest.advertised.host.name"
	PropAdvertisedPort           = "rest.advertised.port"
	PropTopicTracking            = "topic.tracking.enable"
	PropTopicTrackingReset       = "topic.tracking.allow.reset"
	ProducerPrefix               = "producer."
	EnvPrefix                    = "SLUICE_"
)

// Environment variables the sluice command reads for itself, not worker
// properties: the worker warns of an unknown SLUICE_* name (a typo would
// otherwise go unseen), but not of these.
const (
	EnvWorkerConfig = "SLUICE_WORKER_CONFIG" // --worker-config's default
	EnvCPUProfile   = "SLUICE_CPUPROFILE"    // a CPU profile of the run (the benchmarks)
	EnvHeapProfile  = "SLUICE_HEAPPROFILE"   // the in-use heap at its largest (the benchmarks)
	// envTestPrefix starts the local servers' addresses deploy/local's
	// scripts print for the tests and benchmarks; the quickstart and the
	// README export them all with eval "$(deploy/local/up.sh)".
	envTestPrefix = "SLUICE_TEST_"
)

// ownEnv reports whether the environment variable k is the project's own
// and names no worker property: one the command reads for itself, or a
// local server's address.
func ownEnv(k string) bool {
	return k == EnvWorkerConfig || k == EnvCPUProfile || k == EnvHeapProfile || strings.HasPrefix(k, envTestPrefix)
}

var workerProps = append([]string{
	PropBootstrapServers, PropOffsetsTopic, PropOffsetsPartitions, PropOffsetsReplicationFactor,
	PropOffsetFlushInterval, PropOffsetFlushTimeout, PropLogLevel, PropLogFormat, PropListeners,
	PropAdvertisedHost, PropAdvertisedPort, PropTopicTracking, PropTopicTrackingReset,
	"exactly.once.source.support", "group.id",
}, appliedSecurity...)

// envAliases are short environment names accepted besides the regular ones
// (SLUICE_ + property name upper-cased, '.' -> '_'). The regular name wins
// when both are set.
var envAliases = map[string]string{
	"SLUICE_OFFSETS_TOPIC":              PropOffsetsTopic,
	"SLUICE_OFFSETS_PARTITIONS":         PropOffsetsPartitions,
	"SLUICE_OFFSETS_REPLICATION_FACTOR": PropOffsetsReplicationFactor,
}

// EnvName returns the environment variable that sets a worker property:
// "bootstrap.servers" -> "SLUICE_BOOTSTRAP_SERVERS",
// "producer.compression.type" -> "SLUICE_PRODUCER_COMPRESSION_TYPE".
func EnvName(prop string) string {
	return EnvPrefix + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(prop))
}

// ConvertersFor returns the key and value converters c runs with: its own
// where it sets key.converter or value.converter, else the worker's, else
// the JSON converter. As in Kafka Connect, a connector's converter takes
// only its own <prefix>.* settings, never the worker's.
func (w *Worker) ConvertersFor(c *Connector) (key, value ConverterConfig) {
	key, value = c.KeyConverter, c.ValueConverter
	if w == nil {
		return key, value
	}
	if !key.Set && w.KeyConverter != nil {
		key = *w.KeyConverter
	}
	if !value.Set && w.ValueConverter != nil {
		value = *w.ValueConverter
	}
	return key, value
}

// FlushIntervalFor returns the offset flush interval for a connector: the
// connector file's offset.flush.interval.ms if it sets one, else the
// worker's, else Kafka Connect's default of 60 s (c.OffsetFlushInterval).
func (w *Worker) FlushIntervalFor(c *Connector) time.Duration {
	if _, ok := c.Raw[PropOffsetFlushInterval]; !ok && w.OffsetFlushInterval > 0 {
		return w.OffsetFlushInterval
	}
	return c.OffsetFlushInterval
}

// TxnBoundaryInterval is c's transaction.boundary.interval.ms under
// exactly-once delivery with transaction.boundary=interval
// (offset.flush.interval.ms when unset), 0 with poll. An interval not below
// the worker's producer.transaction.timeout.ms is a problem: each Kafka
// transaction stays open at least that long, and the broker aborts one open
// longer.
func (w *Worker) TxnBoundaryInterval(c *Connector) (time.Duration, *Problem) {
	if c.TransactionBoundary != "interval" {
		return 0, nil
	}
	d := c.TransactionBoundaryInterval
	if d == 0 {
		d = w.FlushIntervalFor(c)
	}
	if d >= w.TransactionTimeout {
		return d, &Problem{Setting: "transaction.boundary.interval.ms", Msg: fmt.Sprintf(
			"%d (or offset.flush.interval.ms when unset) keeps each Kafka transaction open at least that long, and the broker aborts one open longer than the worker's producer.transaction.timeout.ms (%d): set the interval well below the timeout",
			d.Milliseconds(), w.TransactionTimeout.Milliseconds())}
	}
	return d, nil
}

// FlushTimeoutFor is FlushIntervalFor for offset.flush.timeout.ms (default 5 s).
func (w *Worker) FlushTimeoutFor(c *Connector) time.Duration {
	if _, ok := c.Raw[PropOffsetFlushTimeout]; !ok && w.OffsetFlushTimeout > 0 {
		return w.OffsetFlushTimeout
	}
	return c.OffsetFlushTimeout
}

// LoadWorker builds the worker configuration from, in increasing precedence:
// the defaults; file, a Kafka Connect worker .properties file (skipped when
// file is ""); env, "KEY=value" strings as from os.Environ, of which the
// SLUICE_* ones are read (SLUICE_BOOTSTRAP_SERVERS, SLUICE_OFFSET_STORAGE_TOPIC
// or its alias SLUICE_OFFSETS_TOPIC, SLUICE_PRODUCER_COMPRESSION_TYPE for
// producer.compression.type, ...); and flags, property name -> value as given
// on the command line.
//
// Unknown properties in the file and unknown SLUICE_* variables are Warnings;
// an unknown property in flags is an error (the command line is expected to
// pass only names it knows). Errors are collected as in ParseConnector and
// name where each bad value came from.
func LoadWorker(file string, env []string, flags map[string]string) (*Worker, []Warning, error) {
	w, warns, err := loadWorker(file, env, flags)
	if err != nil {
		return nil, warns, err
	}
	return w, warns, nil
}

// LoadWorkerOffline is LoadWorker for a command that can run without Kafka
// (sluice validate): a missing bootstrap.servers is no error, and every
// other setting applies (config providers, the transaction timeout).
func LoadWorkerOffline(file string, env []string, flags map[string]string) (*Worker, []Warning, error) {
	w, warns, err := loadWorker(file, env, flags)
	var errs Errors
	if errors.As(err, &errs) && len(errs) > 0 && w != nil {
		for _, e := range errs {
			if e.Key != PropBootstrapServers || e.Value != "" {
				return nil, warns, err
			}
		}
		return w, warns, nil
	}
	if err != nil {
		return nil, warns, err
	}
	return w, warns, nil
}

// loadWorker is LoadWorker returning, with errors of its values, the
// worker holding what did parse.
func loadWorker(file string, env []string, flags map[string]string) (*Worker, []Warning, error) {
	const scope = "worker"
	var (
		vals   = map[string]string{}
		origin = map[string]string{}
		warns  []Warning
		errs   Errors
	)
	fileKeys, err := workerFile(file, vals, origin, &warns)
	if err != nil {
		return nil, nil, err
	}
	envSet := workerEnv(env, vals, origin, &warns)
	errs = workerFlags(flags, vals, origin)
	r := newReader(scope, vals)
	r.origin = origin
	r.errs = errs
	r.warns = warns
	w := &Worker{Raw: Properties(vals)}
	w.Providers = r.parseProviders(env)
	w.Providers.resolveAll(vals, r.fail)

	r.bootstrapServers(w)
	w.OffsetsTopic = r.str(PropOffsetsTopic, DefaultOffsetsTopic)
	if msg := kafkaTopicProblem(w.OffsetsTopic); msg != "" {
		r.fail(PropOffsetsTopic, vals[PropOffsetsTopic], msg+" (default "+DefaultOffsetsTopic+")")
	}
	w.OffsetsPartitions = int32(r.integer(PropOffsetsPartitions, DefaultOffsetsPartitions, positive(math.MaxInt32)))
	w.OffsetsReplicationFactor = int16(r.integer(PropOffsetsReplicationFactor, -1, minusOneOrPositive(math.MaxInt16)))
	if n, ok := r.intOpt(PropOffsetFlushInterval, intRule{min: 1, max: math.MaxInt32, form: "a positive number of milliseconds", def: "each connector's, 60000"}); ok {
		w.OffsetFlushInterval = time.Duration(n) * time.Millisecond
	}
	if n, ok := r.intOpt(PropOffsetFlushTimeout, intRule{min: 1, max: math.MaxInt32, form: "a positive number of milliseconds", def: "each connector's, 5000"}); ok {
		w.OffsetFlushTimeout = time.Duration(n) * time.Millisecond
	}
	w.LogLevel = r.enum(PropLogLevel, enumRule{def: DefaultLogLevel, allowed: []string{"debug", "info", "warn", "error"}, aliases: map[string]string{"warning": "warn"}})
	w.LogFormat = r.enum(PropLogFormat, enumRule{def: DefaultLogFormat, allowed: []string{"json", "console"}})
	r.listeners(w)

	if _, ok := vals["key.converter"]; ok {
		cc := r.converter("key.converter")
		w.KeyConverter = &cc
	}
	if _, ok := vals["value.converter"]; ok {
		cc := r.converter("value.converter")
		w.ValueConverter = &cc
	}

	w.Producer = Properties{}
	for k, v := range vals {
		if rest, ok := strings.CutPrefix(k, ProducerPrefix); ok && rest != "" {
			w.Producer[rest] = v
			r.used[k] = true
		}
	}
	r.producerSettings(w.Producer)
	r.kafkaSecurity(w)
	r.exactlyOnceWorker(w)

	r.unknownWorkerKeys(fileKeys, envSet)
	if len(r.errs) > 0 {
		return w, r.warns, r.errs
	}
	return w, r.warns, nil
}

// workerFile reads the worker properties file into vals and origin and
// returns the keys it set.
func workerFile(file string, vals, origin map[string]string, warns *[]Warning) (map[string]bool, error) {
	const scope = "worker"
	fileKeys := map[string]bool{}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, Errors{{Scope: scope, Msg: fmt.Sprintf("cannot read the worker file %s: %v", file, err)}}
		}
		props, err := ParseProperties(data)
		if err != nil {
			return nil, Errors{{Scope: scope, Msg: fmt.Sprintf("%s: %v", file, err)}}
		}
		seenLine := map[string]int{}
		for _, p := range props {
			if l, ok := seenLine[p.Key]; ok {
				*warns = append(*warns, Warning{Scope: scope, Key: p.Key, Origin: fmt.Sprintf("%s:%d", file, p.Line),
					Msg: fmt.Sprintf("is also set on line %d; the last value is used", l)})
			}
			seenLine[p.Key] = p.Line
			vals[p.Key] = p.Value
			origin[p.Key] = fmt.Sprintf("%s:%d", file, p.Line)
			fileKeys[p.Key] = true
		}
	}

	return fileKeys, nil
}

// workerEnv applies the SLUICE_* environment variables to vals and origin
// and returns which property each one set.
func workerEnv(env []string, vals, origin map[string]string, warns *[]Warning) map[string]string {
	const scope = "worker"
	// Environment: the last assignment of a name wins, as in os/exec.
	envVals := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, EnvPrefix) {
			envVals[k] = v
		}
	}
	byEnv := map[string]string{}
	for _, p := range workerProps {
		byEnv[EnvName(p)] = p
	}
	envSet := map[string]string{} // property -> env name that set it
	for _, k := range slices.Sorted(maps.Keys(envVals)) {
		prop, ok := byEnv[k]
		switch {
		case ok:
		case envAliases[k] != "":
			prop = envAliases[k]
			if _, regular := envVals[EnvName(prop)]; regular {
				if envVals[EnvName(prop)] != envVals[k] {
					*warns = append(*warns, Warning{Scope: scope, Msg: fmt.Sprintf("environment variables %s and %s are both set; %s is used", EnvName(prop), k, EnvName(prop))})
				}
				continue
			}
		case strings.HasPrefix(k, EnvName(ProducerPrefix)) && len(k) > len(EnvName(ProducerPrefix)):
			prop = ProducerPrefix + strings.ToLower(strings.ReplaceAll(k[len(EnvName(ProducerPrefix)):], "_", "."))
		case ownEnv(k):
			continue
		default:
			*warns = append(*warns, Warning{Scope: scope, Msg: fmt.Sprintf("environment variable %s does not name a worker property and is ignored", k)})
			continue
		}
		vals[prop] = envVals[k]
		origin[prop] = "environment variable " + k
		envSet[prop] = k
	}

	return envSet
}

// workerFlags applies the command-line flags to vals and origin.
func workerFlags(flags map[string]string, vals, origin map[string]string) Errors {
	const scope = "worker"
	var errs Errors
	for _, k := range slices.Sorted(maps.Keys(flags)) {
		if !slices.Contains(workerProps, k) && !(strings.HasPrefix(k, ProducerPrefix) && len(k) > len(ProducerPrefix)) {
			errs = append(errs, &Error{Scope: scope, Key: k, Origin: "flag", Msg: "is not a worker property; use one of " + strings.Join(workerProps, ", ") + " or producer.<kafka producer setting>"})
			continue
		}
		vals[k] = flags[k]
		origin[k] = "flag"
	}

	return errs
}

// bootstrapServers reads bootstrap.servers.
func (r *reader) bootstrapServers(w *Worker) {
	vals := r.vals
	if bs := r.str(PropBootstrapServers, ""); bs == "" {
		r.fail(PropBootstrapServers, "", "is required; set it to the Kafka brokers to connect to, as host:port[,host:port...] (or SLUICE_BOOTSTRAP_SERVERS)")
	} else {
		for s := range strings.SplitSeq(bs, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if !validHostPort(s, false) {
				r.fail(PropBootstrapServers, vals[PropBootstrapServers], fmt.Sprintf("has the address %q, which is not host:port; use host:port[,host:port...]", s))
				continue
			}
			w.BootstrapServers = append(w.BootstrapServers, s)
		}
		if len(w.BootstrapServers) == 0 && !r.hasErr(PropBootstrapServers) {
			r.fail(PropBootstrapServers, vals[PropBootstrapServers], "lists no address; use host:port[,host:port...]")
		}
	}

}

// listeners reads Kafka Connect's listeners (http://host:port, comma
// separated; an empty host is every interface) and the advertised name.
func (r *reader) listeners(w *Worker) {
	raw := r.str(PropListeners, "")
	for _, l := range strings.Split(raw, ",") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		scheme, addr, ok := strings.Cut(l, "://")
		switch {
		case !ok || !validHostPort(addr, true):
			r.fail(PropListeners, raw, fmt.Sprintf("has %q, which is not http://host:port; use e.g. http://:8083 or http://127.0.0.1:8083, or leave it empty to turn the REST API off", l))
		case strings.EqualFold(scheme, "https"):
			r.fail(PropListeners, raw, fmt.Sprintf("has %q: Sluice serves its REST API over plain HTTP only; use http:// behind a TLS-terminating proxy", l))
		case !strings.EqualFold(scheme, "http"):
			r.fail(PropListeners, raw, fmt.Sprintf("has %q, whose protocol is not http; use e.g. http://:8083", l))
		default:
			w.Listeners = append(w.Listeners, addr)
		}
	}
	w.AdvertisedHost = r.str(PropAdvertisedHost, "")
	w.AdvertisedPort = int(r.integer(PropAdvertisedPort, 0, intRule{min: 0, max: 65535, form: "a port number"}))
	w.TopicTracking = r.boolean(PropTopicTracking, true)
	w.TopicTrackingReset = r.boolean(PropTopicTrackingReset, true)
}

// unknownWorkerKeys warns about the file's keys Sluice does not know (env
// and flags were checked as they were read).
func (r *reader) unknownWorkerKeys(fileKeys map[string]bool, envSet map[string]string) {
	vals := r.vals
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if r.used[k] || !fileKeys[k] || envSet[k] != "" {
			continue
		}
		switch {
		case kafkaSecuritySetting.MatchString(k):
			r.warn(k, "is a Kafka TLS or SASL setting Sluice does not apply; it applies "+strings.Join(appliedSecurity, ", "))
		case kafkaClientSetting.MatchString(k):
			r.warn(k, "is a Kafka client setting Sluice does not apply; it applies "+appliedProducerSettings())
		case k == "header.converter" && strings.TrimSpace(vals[k]) != SimpleHeaderConverter:
			r.fail(k, vals[k], "is not supported by Sluice (it writes header values as Kafka Connect's default header converter does); remove it or set "+SimpleHeaderConverter)
		case matchesKnown(k, workerKnownIgnored):
		default:
			msg := "is not known to Sluice and is ignored"
			if s := closest(k, slices.Clone(workerProps)); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			r.warn(k, msg)
		}
	}

}

// kafkaClientSetting matches worker-level Kafka client settings that Kafka
// Connect applies to its own clients; Sluice applies ProducerSettings only.
var kafkaClientSetting = regexp.MustCompile(`^(client\.dns\.lookup|request\.timeout\.ms|retry\.backoff\.ms|metadata\.max\.age\.ms|connections\.max\.idle\.ms|reconnect\.backoff\..*|socket\.connection\.setup\.timeout\..*|send\.buffer\.bytes|receive\.buffer\.bytes)$`)

// kafkaSecuritySetting matches the Kafka client's TLS and SASL settings.
var kafkaSecuritySetting = regexp.MustCompile(`^(security\.protocol|sasl\..*|ssl\..*)$`)

// ProducerSettings are the producer.* worker properties Sluice applies (to
// its one producer, and client.id to every Kafka client it opens).
var ProducerSettings = []string{"client.id", "compression.type", "linger.ms", "batch.size", "transaction.timeout.ms"}

// appliedProducerSettings lists ProducerSettings as worker properties.
func appliedProducerSettings() string {
	return ProducerPrefix + strings.Join(ProducerSettings, ", "+ProducerPrefix)
}

// producerSettings checks the producer.* worker properties: one Sluice
// does not apply draws a warning; kafkaSecurity reads the TLS and SASL ones.
func (r *reader) producerSettings(p Properties) {
	for _, k := range slices.Sorted(maps.Keys(p)) {
		switch {
		case slices.Contains(ProducerSettings, k), slices.Contains(appliedSecurity, k):
		case kafkaSecuritySetting.MatchString(k):
			r.warn(ProducerPrefix+k, "is a Kafka TLS or SASL setting Sluice does not apply; it applies "+strings.Join(appliedSecurity, ", "))
		default:
			r.warn(ProducerPrefix+k, "is a Kafka producer setting Sluice does not apply; it applies "+appliedProducerSettings())
		}
	}
}

// workerKnownIgnored lists Kafka Connect worker properties that mean nothing
// to Sluice, so a Connect worker file can be reused without warnings.
var workerKnownIgnored = []string{
	"group.id", "config.storage.", "status.storage.", "offset.storage.file.filename",
	"header.converter", "header.converter.",
	"internal.key.converter", "internal.key.converter.", "internal.value.converter", "internal.value.converter.",
	"plugin.path", "plugin.discovery", "listeners.", "admin.listeners", "admin.listeners.",
	"rest.", "response.http.headers.config", "access.control.", "consumer.", "admin.",
	"connector.client.config.override.policy", "topic.creation.enable",
	"exactly.once.source.support", "task.shutdown.graceful.timeout.ms", "session.timeout.ms", "heartbeat.interval.ms",
	"rebalance.timeout.ms", "scheduled.rebalance.max.delay.ms", "connect.protocol", "worker.sync.timeout.ms",
	"worker.unsync.backoff.ms", "metrics.", "metric.reporters", "auto.include.jmx.reporter", "client.id",
	"inter.worker.", "config.reload.action",
}

// validHostPort reports whether s is host:port with a numeric port; the
// host may be empty only when emptyHost is true.
func validHostPort(s string, emptyHost bool) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || (host == "" && !emptyHost) {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535 && (n > 0 || emptyHost)
}

var legalTopic = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// kafkaTopicProblem checks Kafka's topic-name rules (org.apache.kafka.common.internals.Topic).
func kafkaTopicProblem(t string) string {
	switch {
	case t == "":
		return "is empty; use a Kafka topic name"
	case t == "." || t == "..":
		return `is not a legal Kafka topic name ("." and ".." are reserved); use another name`
	case len(t) > 249:
		return "is longer than 249 characters, Kafka's limit; use a shorter topic name"
	case !legalTopic.MatchString(t):
		return "has characters Kafka does not allow in a topic name; use only letters, digits, '.', '_' and '-'"
	}
	return ""
}

// exactlyOnceWorker reads Kafka Connect's worker settings for exactly-once
// source delivery. preparing, Connect's step of a rolling upgrade, runs
// tasks at least once, as disabled does.
func (r *reader) exactlyOnceWorker(w *Worker) {
	w.ExactlyOnceSource = r.enum("exactly.once.source.support", enumRule{def: "disabled", allowed: []string{"disabled", "preparing", "enabled"}}) == "enabled"
	w.GroupID = strings.TrimSpace(r.str("group.id", "sluice"))
	w.TransactionTimeout = 15 * time.Minute
	if v, ok := w.Producer["transaction.timeout.ms"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1000 {
			r.fail(ProducerPrefix+"transaction.timeout.ms", v, "is not a number of milliseconds of at least 1000 (default 900000, the broker's transaction.max.timeout.ms by default)")
			return
		}
		w.TransactionTimeout = time.Duration(n) * time.Millisecond
	}
}
