package mysql

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
)

func parseTestConnector(t *testing.T, extra string) *config.Connector {
	t.Helper()
	c, _, err := config.ParseConnector([]byte(`{"name":"x","config":{"connector.class":"io.debezium.connector.mariadb.MariaDbConnector",
		"database.hostname":"h","database.user":"u","database.password":"p","topic.prefix":"p"`+extra+`}}`), "test")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestApplyDDLConfig(t *testing.T) {
	var cfg server.Config
	if err := applyDDLConfig(&cfg, parseTestConnector(t, "")); err != nil {
		t.Fatal(err)
	}
	// Debezium's defaults.
	if !cfg.IncludeSchemaChanges || len(cfg.SkippedOperations) != 1 || !cfg.SkippedOperations[change.OpTruncate] ||
		cfg.SkipUnparseableDDL || cfg.StoreOnlyCapturedTablesDDL || cfg.StoreOnlyCapturedDatabasesDDL {
		t.Errorf("defaults: %+v", cfg)
	}
	c := parseTestConnector(t, `,"skipped.operations":"none","include.schema.changes":"false",
		"schema.history.internal.skip.unparseable.ddl":" TRUE ","schema.history.internal.store.only.captured.tables.ddl":"true",
		"schema.history.internal.store.only.captured.databases.ddl":"false"`)
	if err := applyDDLConfig(&cfg, c); err != nil {
		t.Fatal(err)
	}
	if cfg.IncludeSchemaChanges || len(cfg.SkippedOperations) != 0 || !cfg.SkipUnparseableDDL ||
		!cfg.StoreOnlyCapturedTablesDDL || cfg.StoreOnlyCapturedDatabasesDDL {
		t.Errorf("set: %+v", cfg)
	}
	for extra, prop := range map[string]string{
		`,"skipped.operations":"c,x"`:                           "skipped.operations",
		`,"schema.history.internal.skip.unparseable.ddl":"yes"`: "schema.history.internal.skip.unparseable.ddl",
	} {
		_, err := ParseConfig(parseTestConnector(t, extra))
		if err == nil || !strings.Contains(err.Error(), prop) {
			t.Errorf("%s: error %v, want one naming %s", extra, err, prop)
		}
	}
}

// The snapshot's settings reach the snapshotter: threads and range rows.
func TestParseConfigSnapshotSettings(t *testing.T) {
	for extra, want := range map[string]server.SnapshotConfig{
		"": {Mode: "initial", LockingMode: "minimal", MaxThreads: 1, ChunkRows: config.DefaultSnapshotRangeRows, LockTimeout: 10 * time.Second},
		`,"snapshot.max.threads":"3","sluice.snapshot.range.rows":"1000","snapshot.lock.timeout.ms":"2500"`: {Mode: "initial", LockingMode: "minimal",
			MaxThreads: 3, ChunkRows: 1000, LockTimeout: 2500 * time.Millisecond},
		`,"snapshot.select.statement.overrides":"db.t","snapshot.select.statement.overrides.db.t":" SELECT * FROM db.t WHERE a > 1"`: {
			Mode: "initial", LockingMode: "minimal", MaxThreads: 1, ChunkRows: config.DefaultSnapshotRangeRows, LockTimeout: 10 * time.Second,
			Selects: map[string]string{"db.t": "SELECT * FROM db.t WHERE a > 1"}},
	} {
		cfg, err := ParseConfig(parseTestConnector(t, extra))
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Selects) == 0 {
			want.Selects = map[string]string{}
		}
		got := cfg.Snapshot
		if got.Tables == nil || !got.Tables("db", "t") || got.Order != "disabled" {
			t.Errorf("%q: snapshot table filter or order %q: every captured table by name expected", extra, got.Order)
		}
		got.Tables, got.Order = nil, ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: snapshot settings %+v, want %+v", extra, got, want)
		}
	}
}

// guardrail.collections.max and its action: Debezium's defaults (off,
// warn), any case of the action, and the values refused with the fix.
func TestReadGuardrail(t *testing.T) {
	for _, tc := range []struct {
		extra string
		want  guardrail
		err   string
	}{
		{"", guardrail{}, ""},
		{`,"guardrail.collections.max":"10"`, guardrail{max: 10}, ""},
		{`,"guardrail.collections.max":" 3 ","guardrail.collections.limit.action":"FAIL"`, guardrail{max: 3, fail: true}, ""},
		{`,"guardrail.collections.max":"-1"`, guardrail{}, "use 0 (no limit, the default) or more"},
		{`,"guardrail.collections.limit.action":"stop"`, guardrail{}, "use warn (the default) or fail"},
	} {
		g, err := readGuardrail(parseTestConnector(t, tc.extra))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err %v, want one saying %q", tc.extra, err, tc.err)
			}
			continue
		}
		if err != nil || g != tc.want {
			t.Errorf("%s: %+v %v, want %+v", tc.extra, g, err, tc.want)
		}
	}
}
