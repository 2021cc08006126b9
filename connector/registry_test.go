package connector

import (
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/converters/avro"
	"github.com/sluice-cdc/sluice/converters/jsonconv"
)

func parseConnector(t *testing.T, extra string) *config.Connector {
	t.Helper()
	c, _, err := config.ParseConnector([]byte(`{"name":"inv","config":{
		"connector.class":"io.debezium.connector.mariadb.MariaDbConnector","database.hostname":"db",
		"database.user":"u","database.password":"p","database.server.id":"5400","topic.prefix":"p"`+extra+`}}`), "inv.json")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConverterFactory: both Avro classes build the Avro converter, the
// worker's converter applies to a connector that names none, and a bad
// Avro setting is refused at start naming its property.
func TestConverterFactory(t *testing.T) {
	env := Env{Worker: &config.Worker{}, Logger: zap.NewNop()}
	for _, extra := range []string{
		`,"value.converter":"io.confluent.connect.avro.AvroConverter","value.converter.schema.registry.url":"http://r:8081"`,
		`,"value.converter":"io.apicurio.registry.utils.converter.AvroConverter","value.converter.apicurio.registry.url":"http://r:8080/apis/registry/v2"`,
	} {
		c := parseConnector(t, extra)
		if err := Check(c, env); err != nil {
			t.Fatalf("%s: %v", extra, err)
		}
		_, vc := env.Worker.ConvertersFor(c)
		conv, err := newConverter(vc, "value.converter", c)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := conv.(*avro.Converter); !ok {
			t.Fatalf("%s: built %T", extra, conv)
		}
	}

	worker := &config.Worker{ValueConverter: &config.ConverterConfig{Class: config.ConfluentAvroConverterClass,
		Props: config.Properties{"schema.registry.url": "http://r:8081"}, Set: true}}
	c := parseConnector(t, "")
	kc, vc := worker.ConvertersFor(c)
	key, _ := newConverter(kc, "key.converter", c)
	val, _ := newConverter(vc, "value.converter", c)
	if _, ok := key.(*jsonconv.Converter); !ok {
		t.Errorf("key converter %T, want JSON", key)
	}
	if _, ok := val.(*avro.Converter); !ok {
		t.Errorf("value converter %T, want the worker's Avro", val)
	}

	for extra, want := range map[string]string{
		`,"value.converter":"io.confluent.connect.avro.AvroConverter","value.converter.schema.registry.url":"http://r","value.converter.value.subject.name.strategy":"Bogus"`:                               "value.subject.name.strategy",
		`,"value.converter":"io.confluent.connect.avro.AvroConverter","value.converter.schema.registry.url":"http://r","value.converter.basic.auth.credentials.source":"USER_INFO"`:                         "basic.auth.user.info",
		`,"value.converter":"io.confluent.connect.avro.AvroConverter","value.converter.schema.registry.url":"http://r","schema.name.adjustment.mode":"weird"`:                                               "schema.name.adjustment.mode",
		`,"key.converter":"io.confluent.connect.avro.AvroConverter","key.converter.schema.registry.url":"http://r","key.converter.key.subject.name.strategy":"io.confluent.kafka.serializers.subject.Nope"`: "key.subject.name.strategy",
	} {
		err := Check(parseConnector(t, extra), env)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %s", extra, err, want)
		}
	}
}

// sluice.conversion.threads=3 gives a task two conversion workers with
// JSON converters of their own and the Avro converter shared; 0 is
// refused naming the property.
func TestConversionThreadsWiring(t *testing.T) {
	env := Env{Worker: &config.Worker{}, Logger: zap.NewNop()}
	c := parseConnector(t, `,"sluice.conversion.threads":"3","value.converter":"io.confluent.connect.avro.AvroConverter","value.converter.schema.registry.url":"http://r:8081"`)
	task, err := newTask(c, Deps{Env: env}, &fakeSource{}, []byte("k"), "")
	if err != nil {
		t.Fatal(err)
	}
	ws := task.Poller.Workers
	if len(ws) != 2 {
		t.Fatalf("%d conversion workers, want 2", len(ws))
	}
	for i, w := range ws {
		if _, ok := w.KeyConverter.(*jsonconv.Converter); !ok || w.KeyConverter == task.Poller.KeyConverter || (i > 0 && w.KeyConverter == ws[0].KeyConverter) {
			t.Errorf("worker %d's key converter %T is not a JSON converter of its own", i, w.KeyConverter)
		}
		if w.ValueConverter != task.Poller.ValueConverter {
			t.Errorf("worker %d's value converter is not the task's Avro converter", i)
		}
	}
	if one, err := newTask(parseConnector(t, ""), Deps{Env: env}, &fakeSource{}, []byte("k"), ""); err != nil || len(one.Poller.Workers) != 0 {
		t.Errorf("by default: %d conversion workers (%v), want none", len(one.Poller.Workers), err)
	}
	_, _, err = config.ParseConnector([]byte(`{"name":"inv","config":{"connector.class":"io.debezium.connector.mariadb.MariaDbConnector",
		"database.hostname":"db","database.user":"u","database.password":"p","database.server.id":"5400","topic.prefix":"p",
		"sluice.conversion.threads":"0"}}`), "inv.json")
	if err == nil || !strings.Contains(err.Error(), "sluice.conversion.threads") {
		t.Errorf("sluice.conversion.threads=0: %v, want an error naming it", err)
	}
}
