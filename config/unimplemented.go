package config

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

type defaultOnlyProp struct{ key, def, does string }

// defaultOnly are Debezium properties Sluice does not implement and that
// change what is sent (records, topics, their schemas, which transactions
// or signals are acted on): accepted at Debezium's default, refused at any
// other value, since running on without them would send what Debezium
// would not, without a word.
var defaultOnly = []defaultOnlyProp{
	{"topic.naming.strategy", "io.debezium.schema.DefaultTopicNamingStrategy", "another strategy names topics otherwise"},
	{"converters", "", "Java CustomConverter classes change the columns' schemas"},
	{"post.processors", "", "Java post processors change the records"},
	{"gtid.source.includes", "", "it skips the transactions of other GTID sources"},
	{"gtid.source.excludes", "", "it skips the transactions of the GTID sources it names"},
	{"snapshot.query.mode", "select_all", "a custom query mode selects other rows"},
	{"event.deserialization.failure.handling.mode", "fail", "Sluice stops on an event it cannot decode"},
	{"header.converter", SimpleHeaderConverter, "Sluice writes header values as Kafka Connect's default header converter does"},
	{"transaction.metadata.factory", "io.debezium.pipeline.txmetadata.DefaultTransactionMetadataFactory", "another factory (Vitess's ordered one) adds fields to the transaction records and blocks"},
}

// vitessDefaultOnly are the Vitess connector's properties Sluice does not
// implement that change what is read or sent (Debezium 3.5's
// VitessConnectorConfig), refused as defaultOnly's are.
var vitessDefaultOnly = []defaultOnlyProp{
	{"vitess.exclude.keyspace.from.table.name", "false", "it names tables without their keyspace"},
	{"vitess.stream.keyspace.heartbeats", "false", "it streams Vitess's heartbeat tables"},
	{"vitess.exclude.empty.shards", "false", "it leaves out shards it finds empty; Sluice reads every shard of the keyspace or those vitess.shard lists"},
	{"vitess.shard.epoch.map", "", "it belongs to the ordered transaction metadata factory"},
	{"vitess.inherit.epoch", "false", "it belongs to the ordered transaction metadata factory"},
	{"vitess.gtid", "current", "Debezium's deprecated start position; Sluice starts from vitess.vgtid"},
	{"override.datetime.to.nullable", "false", "it makes DATE and DATETIME columns optional"},
	{"read.only", "false", "the Vitess connector takes no signals"},
	{"vitess.connector.generation", "0", "it belongs to the ordered transaction metadata factory"},
	{"include.unknown.datatypes", "false", "it writes columns of types Debezium's Vitess connector does not know (GEOMETRY) as bytes, which Sluice leaves out as Debezium does by default"},
}

// sourceInfoMakers are each class's sourceinfo.struct.maker default, the
// source block Sluice writes (Debezium 3.5's classes).
var sourceInfoMakers = map[Flavor]string{
	FlavorMySQL:   "io.debezium.connector.mysql.MySqlSourceInfoStructMaker",
	FlavorMariaDB: "io.debezium.connector.mariadb.MariaDbSourceInfoStructMaker",
	FlavorVitess:  "io.debezium.connector.vitess.VitessSourceInfoStructMaker",
}

// vitessLBPolicy is vitess.grpc.default.load.balancing.policy.
const vitessLBPolicy = "vitess.grpc.default.load.balancing.policy"

// SimpleHeaderConverter is Kafka Connect's default header.converter, the
// only one Sluice writes (converters/header).
const SimpleHeaderConverter = "org.apache.kafka.connect.storage.SimpleHeaderConverter"

// unimplemented refuses defaultOnly properties set to another value, and
// the other Debezium settings that change what is sent; it warns about
// those that only change timing.
func (r *reader) unimplemented(c *Connector) {
	props := defaultOnly
	// metadataTopics reads (or refuses) topic.naming.strategy.
	props = slices.DeleteFunc(slices.Clone(props), func(p defaultOnlyProp) bool { return p.key == "topic.naming.strategy" })
	if c.Flavor != FlavorVitess {
		props = slices.DeleteFunc(slices.Clone(props), func(p defaultOnlyProp) bool { return p.key == "converters" })
		r.customConverters(c.Flavor)
	}
	if c.Flavor == FlavorVitess {
		props = append(slices.Clone(props), vitessDefaultOnly...)
		for _, p := range vitessDefaultOnly {
			r.used[p.key] = true
		}
		r.used[vitessLBPolicy] = true
		if v, ok := r.lookup(vitessLBPolicy); ok && strings.TrimSpace(v) != "" && !strings.EqualFold(strings.TrimSpace(v), "pick_first") {
			r.warn(vitessLBPolicy, "is ignored by Sluice: it connects to the one VTGate address database.hostname names (gRPC's pick_first)")
		}
	}
	props = append(slices.Clone(props), defaultOnlyProp{"sourceinfo.struct.maker", sourceInfoMakers[c.Flavor],
		"another class writes another source block"})
	for _, p := range props {
		v, ok := r.lookup(p.key)
		if v = strings.TrimSpace(v); !ok || strings.EqualFold(v, p.def) {
			continue
		}
		def := "remove it"
		if p.def != "" {
			def = fmt.Sprintf("remove it or set the default, %q", p.def)
		}
		r.fail(p.key, v, fmt.Sprintf("is not supported by Sluice (%s); %s", p.does, def))
	}
	if c.Flavor == FlavorVitess {
		r.channels("signal.enabled.channels", "source", "the Vitess connector takes no signals")
	} else {
		r.channels("signal.enabled.channels", "source,kafka,file", "JMX is not served")
	}
	r.channels("notification.enabled.channels", "log,jmx,sink", "no custom notification channel is loaded")
	r.exactlyOnce(c)
}

// exactlyOnce reads Kafka Connect's KIP-618 settings. Debezium's MySQL and
// MariaDB connectors declare exactly-once support; its Vitess connector
// declares none, and Kafka Connect refuses required for it. Neither
// defines transaction boundaries, so Connect refuses
// transaction.boundary=connector.
func (r *reader) exactlyOnce(c *Connector) {
	unsupported := map[string]string{}
	if c.Flavor == FlavorVitess {
		unsupported["required"] = vitessAtLeastOnce
	}
	allowed := []string{"requested", "required"}
	if c.Flavor == FlavorVitess {
		allowed = allowed[:1]
	}
	c.ExactlyOnceRequired = r.enum("exactly.once.support", enumRule{def: "requested", allowed: allowed, unsupported: unsupported}) == "required"
	c.TransactionBoundary = r.enum("transaction.boundary", enumRule{def: "poll", allowed: []string{"poll", "interval"},
		unsupported: map[string]string{"connector": "Debezium's connectors do not define transaction boundaries, and Kafka Connect refuses connector for them"}})
	if n, ok := r.intOpt("transaction.boundary.interval.ms", intRule{min: 1, max: math.MaxInt32, form: "a positive number of milliseconds", def: "offset.flush.interval.ms"}); ok {
		c.TransactionBoundaryInterval = time.Duration(n) * time.Millisecond
	}
}

// vitessAtLeastOnce is why the Vitess connector does not run exactly once.
const vitessAtLeastOnce = "Debezium's Vitess connector does not declare exactly-once support, and Sluice's Vitess connector delivers at least once: after a crash a consumer may read a record again, never miss one"

// TinyIntBooleanClasses are the class names of Debezium's
// TinyIntOneToBooleanConverter, the one CustomConverter Sluice has (in
// connector/mysqltypes): the binlog module's, and the MySQL connector's
// deprecated subclass of it.
var TinyIntBooleanClasses = []string{
	"io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter",
	"io.debezium.connector.mysql.converters.TinyIntOneToBooleanConverter",
}

// customConverters checks the converters property of a MySQL or MariaDB
// connector: each name it lists needs <name>.type, a class Sluice has. The
// names' own properties (<name>.*) are theirs, not unknown ones. The MySQL
// connector's deprecated class name is not in Debezium's MariaDB plugin:
// there its task fails at start, unable to find the class.
func (r *reader) customConverters(flavor Flavor) {
	list, _ := r.lookup("converters")
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		for k := range r.vals {
			if strings.HasPrefix(k, name+".") {
				r.used[k] = true
			}
		}
		typeKey := name + ".type"
		switch class := strings.TrimSpace(r.vals[typeKey]); {
		case class == "":
			r.fail(typeKey, "", fmt.Sprintf("is required: \"converters\" names %q; set it to %s", name, TinyIntBooleanClasses[0]))
		case !slices.Contains(TinyIntBooleanClasses, class):
			r.fail(typeKey, class, fmt.Sprintf("is not a converter Sluice has (it runs no Java; the one it has is Debezium's %s); remove %q from \"converters\"",
				TinyIntBooleanClasses[0], name))
		case flavor == FlavorMariaDB && class != TinyIntBooleanClasses[0]:
			r.fail(typeKey, class, fmt.Sprintf("is the MySQL connector's name of the converter, which Debezium's MariaDB connector does not have (its task fails); set it to %s",
				TinyIntBooleanClasses[0]))
		}
	}
}

// channels refuses a channel list naming one Sluice does not serve.
func (r *reader) channels(key, served, why string) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	for _, ch := range strings.Split(v, ",") {
		if ch = strings.ToLower(strings.TrimSpace(ch)); ch != "" && !slices.Contains(strings.Split(served, ","), ch) {
			r.fail(key, v, fmt.Sprintf("names %q, which Sluice does not serve (%s); keep only %s", ch, why, strings.ReplaceAll(served, ",", " or ")))
			return
		}
	}
}
