package main

import (
	"fmt"
	"math/rand"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/internal/conformance"
)

// TestReconnectAfterKilledConnection kills the daemon's binlog dump
// connection on the server, in the middle of a stream of changes: the daemon
// logs the reconnect, and every change arrives exactly once in order.
func TestReconnectAfterKilledConnection(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	prefix := "e2e" + d.name[4:]
	user := fmt.Sprintf("reconnect_%d", rand.Intn(1e6))
	d.createUser(user, "x")
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"database.user": user, "database.password": "x",
		"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false", "snapshot.mode": "no_data"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	for i := 0; i < 50; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", i))
	}
	consume(t, e, 50, 30*time.Second, prefix+"."+d.name+".t")
	r := d.exec("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'", user)
	if r.RowNumber() != 1 {
		t.Fatalf("%d binlog dump connections of %s on the server, want 1", r.RowNumber(), user)
	}
	for i := 0; i < r.RowNumber(); i++ {
		id, _ := r.GetInt(i, 0)
		d.exec(fmt.Sprintf("KILL %d", id))
	}
	for i := 50; i < 100; i++ {
		d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 0)", i))
	}
	sl.WaitLog("binlog stream interrupted; reconnecting", 30*time.Second)
	recs := consume(t, e, 100, 60*time.Second, prefix+"."+d.name+".t")
	seen := map[string]int{}
	var order []string
	for _, r := range recs {
		seen[string(r.Key)]++
		order = append(order, string(r.Key))
	}
	for i := 0; i < 100; i++ {
		k := fmt.Sprintf(`{"id":%d}`, i)
		if seen[k] != 1 {
			t.Errorf("key %s arrived %d times, want once", k, seen[k])
		}
		if i < len(order) && order[i] != k {
			t.Fatalf("record %d has key %s, want %s (order kept across the reconnect)", i, order[i], k)
		}
	}
	sl.Stop()
}

// A record Kafka refuses is the conformance suite's RefusedRecordKeepsOffset
// (internal/conformance), which every source runs.

// With errors.max.retries=0 the first broken binlog connection fails the
// task instead of a reconnect, as Debezium stops once its retries are used
// up: the daemon, whose only task it is, exits 1 naming the property.
func TestErrorsMaxRetriesZero(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	user := fmt.Sprintf("no_retry_%d", rand.Intn(1e6))
	d.createUser(user, "x")
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"snapshot.mode": "no_data",
		"database.user": user, "database.password": "x", "errors.max.retries": "0"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	r := d.exec("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND COMMAND LIKE 'Binlog Dump%'", user)
	if r.RowNumber() != 1 {
		t.Fatalf("%d binlog dump connections of %s, want 1", r.RowNumber(), user)
	}
	id, _ := r.GetInt(0, 0)
	d.exec(fmt.Sprintf("KILL %d", id))
	log := sl.WaitExit(30 * time.Second)
	if sl.Err == nil || !strings.Contains(log, "failed 1 times in a row, and errors.max.retries is 0") || strings.Contains(log, "transient failure; retrying") {
		t.Fatalf("exit %v; want the task failed at once, naming errors.max.retries:\n%s", sl.Err, tail(log, 2000))
	}
}

// custom.retriable.exception makes a failure Sluice takes for definite
// retried: a connector whose user does not exist yet retries "Access
// denied" until the user is created, then snapshots and streams. Every
// retry waits retriable.restart.connector.wait.ms, as Debezium's restarts.
func TestCustomRetriableException(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE t (id INT PRIMARY KEY)", "INSERT INTO t VALUES (1), (2)")
	user := fmt.Sprintf("late_user_%d", rand.Intn(1e6))
	t.Cleanup(func() { d.exec("DROP USER IF EXISTS '" + user + "'@'%'") })
	prefix := "e2e" + d.name[4:]
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, map[string]string{"database.user": user, "database.password": "x",
		"custom.retriable.exception": ".*Access denied for user.*", "retriable.restart.connector.wait.ms": "300"})
	sl := startDaemon(t, e, "--log-format", "console", cfg)
	retries := regexp.MustCompile(`transient failure; retrying.*"backoff": ([0-9.]+)`)
	waitFor(t, 30*time.Second, "three retries", func() bool { return len(retries.FindAllString(sl.Stderr.String(), -1)) >= 3 })
	for _, m := range retries.FindAllStringSubmatch(sl.Stderr.String(), -1) {
		if m[1] != "0.3" {
			t.Fatalf("a retry waited %s s, want retriable.restart.connector.wait.ms's 0.3 every time", m[1])
		}
	}
	d.createUser(user, "x")
	sl.WaitLog("binlog streaming from", 60*time.Second)
	d.exec("INSERT INTO t VALUES (3)")
	if recs := consume(t, e, 3, 60*time.Second, prefix+"."+d.name+".t"); len(recs) != 3 {
		t.Fatalf("%d records, want the snapshot's 2 and the insert", len(recs))
	}
	sl.Stop()
}

// Two connectors with one database.server.id on one server drop each
// other's binlog dump (MariaDB's error 4052) and, reconnecting, would take
// turns forever with neither reading on. One daemon refuses such a pair at
// start. Across daemons (or against Debezium), the dropped one stops with
// the error, naming the property, and the other streams on undisturbed. A
// random id moves instead (randomReplicaIDTaken).
func TestReplicaIDTaken(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.exec("CREATE TABLE t (id INT PRIMARY KEY)")
	id := fmt.Sprint(nextServerID())
	pa, pb := "e2ea"+d.name[4:], "e2eb"+d.name[4:]
	extra := map[string]string{"snapshot.mode": "no_data", "database.server.id": id}
	ca := connectorFile(t, e, "a-"+d.name, pa, d.name, extra)
	cb := connectorFile(t, e, "b-"+d.name, pb, d.name, extra)

	both := startDaemon(t, e, "--log-format", "console", ca, cb)
	log := both.WaitExit(30 * time.Second)
	if both.Err == nil || !strings.Contains(log, "database.server.id "+id+" is also connector a-"+d.name+"'s") ||
		strings.Contains(log, "binlog streaming from") {
		t.Fatalf("exit %v; want the pair refused at start, naming the id and the other connector:\n%s", both.Err, tail(log, 2000))
	}

	first := startDaemon(t, e, "--log-format", "console", ca)
	first.WaitLog("binlog streaming from", 30*time.Second)
	d.exec("INSERT INTO t VALUES (1)")
	if recs := consume(t, e, 1, 60*time.Second, pa+"."+d.name+".t"); len(recs) != 1 {
		t.Fatalf("%d records from the first connector, want the insert", len(recs))
	}
	second := startDaemon(t, e, "--log-format", "console", cb)
	log = first.WaitExit(30 * time.Second)
	if first.Err == nil || !strings.Contains(log, "as replica "+id+": ERROR 4052") ||
		!strings.Contains(log, "give each connector its own database.server.id") || strings.Contains(log, "reconnecting") {
		t.Fatalf("exit %v; want the dropped connector stopped, naming database.server.id, without reconnecting:\n%s", first.Err, tail(log, 3000))
	}
	d.exec("INSERT INTO t VALUES (2)")
	recs := consume(t, e, 1, 60*time.Second, pb+"."+d.name+".t")
	if len(recs) != 1 || !strings.Contains(string(recs[0].Value), `"id":2`) {
		t.Fatalf("the second connector wrote %d records, want the insert after it started", len(recs))
	}
	if strings.Contains(second.Stderr.String(), "interrupted") {
		t.Errorf("the second connector's stream was interrupted:\n%s", tail(second.Stderr.String(), 2000))
	}
	second.Stop()
	randomReplicaIDTaken(t, e, d)
}

// randomReplicaIDTaken: a connector whose id is random (database.server.id
// left out) is not stopped when another replica registers with its id: it
// draws another and reads on, and the other keeps the id undisturbed.
func randomReplicaIDTaken(t *testing.T, e env, d *db) {
	pr, pt := "e2er"+d.name[4:], "e2et"+d.name[4:]
	cfg := mysqlConnector(e, pr, d.name)
	delete(cfg, "database.server.id")
	cfg["snapshot.mode"] = "no_data"
	random := startDaemon(t, e, "--log-format", "console", conformance.WriteConnector(t, "r-"+d.name, cfg))
	random.WaitLog("binlog streaming from", 30*time.Second)
	m := regexp.MustCompile(`using the random id (\d+)`).FindStringSubmatch(random.Stderr.String())
	if m == nil {
		t.Fatalf("no random id in the log:\n%s", tail(random.Stderr.String(), 2000))
	}
	taker := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "t-"+d.name, pt, d.name,
		map[string]string{"snapshot.mode": "no_data", "database.server.id": m[1]}))
	taker.WaitLog("binlog streaming from", 30*time.Second)
	random.WaitLog("reconnecting under another random id", 30*time.Second)
	d.exec("INSERT INTO t VALUES (3)")
	for _, topic := range []string{pr + "." + d.name + ".t", pt + "." + d.name + ".t"} {
		recs := consume(t, e, 1, 60*time.Second, topic)
		if len(recs) != 1 || !strings.Contains(string(recs[0].Value), `"id":3`) {
			t.Fatalf("%s: %d records, want the insert", topic, len(recs))
		}
	}
	if strings.Contains(taker.Stderr.String(), "interrupted") {
		t.Errorf("the connector that took the id was interrupted:\n%s", tail(taker.Stderr.String(), 2000))
	}
	taker.Stop()
	random.Stop()
}

// guardrail.collections.max (Debezium 3.5) counts, at each start, the base
// tables whose structure the connector keeps: every table of the server by
// default (the schema history keeps them all), the captured ones with
// schema.history.internal.store.only.captured.tables.ddl. Over the limit,
// fail stops the connector and warn (the default) logs and goes on.
func TestGuardrailCollections(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE a (id INT PRIMARY KEY)", "CREATE TABLE b (id INT PRIMARY KEY)", "CREATE TABLE c (id INT PRIMARY KEY)")
	settings := func(more ...string) map[string]string {
		m := map[string]string{"snapshot.mode": "no_data", "table.include.list": d.name + `\.a`,
			"value.converter.schemas.enable": "false", "key.converter.schemas.enable": "false"}
		for i := 0; i+1 < len(more); i += 2 {
			m[more[i]] = more[i+1]
		}
		return m
	}
	pf, pc, pw := "gf"+d.name[4:], "gc"+d.name[4:], "gw"+d.name[4:]
	failing := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, pf, pf, d.name,
		settings("guardrail.collections.max", "2", "guardrail.collections.limit.action", "fail")))
	log := failing.WaitExit(30 * time.Second)
	if failing.Err == nil || !strings.Contains(log, "but guardrail.collections.max is 2") ||
		!strings.Contains(log, "store.only.captured.tables.ddl=false") || strings.Contains(log, "binlog streaming from") {
		t.Fatalf("exit %v; want a stop at start over the limit, naming it:\n%s", failing.Err, tail(log, 2000))
	}
	sl := startDaemon(t, e, "--log-format", "console",
		connectorFile(t, e, pc, pc, d.name, settings("guardrail.collections.max", "1", "guardrail.collections.limit.action", "fail",
			"schema.history.internal.store.only.captured.tables.ddl", "true")),
		connectorFile(t, e, pw, pw, d.name, settings("guardrail.collections.max", "2")))
	waitStreaming(t, sl, 30*time.Second, pc, pw)
	d.exec("INSERT INTO a VALUES (1)")
	for _, p := range []string{pc, pw} {
		if recs := consume(t, e, 1, 30*time.Second, p+"."+d.name+".a"); len(recs) != 1 {
			t.Errorf("%s: %d records, want the insert", p, len(recs))
		}
	}
	sl.Stop()
	out := sl.Stderr.String()
	if !regexp.MustCompile(`guardrail passed.*"connector": "` + pc + `".*"tables": 1,`).MatchString(out) {
		t.Errorf("no passed check counting the one captured table:\n%s", tail(out, 3000))
	}
	if !regexp.MustCompile(`WARN.*guardrail limit exceeded.*"connector": "` + pw + `"`).MatchString(out) {
		t.Errorf("no warning for the connector over the limit with warn:\n%s", tail(out, 3000))
	}
}
