package main

import (
	"strings"
	"testing"
	"time"
)

// TestInitialStatements: database.initial.statements run, in order, on the
// connector's SQL connections (here the snapshot's), split at ";" with ";;"
// standing for a semicolon, as Debezium runs them on its JDBC connections;
// the second statement's insert shows the first one's session setting. A
// statement the server refuses stops the daemon with the statement named.
func TestInitialStatements(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(60))")
	d.grantSluice("INSERT", "audit")
	prefix := "e2e" + d.name[4:]
	extra := map[string]string{"value.converter.schemas.enable": "false",
		"database.initial.statements": "SET SESSION sql_mode = 'ANSI_QUOTES';INSERT INTO " + d.name + ".audit (note) VALUES (CONCAT('init;;', @@SESSION.sql_mode))"}
	sl := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c-"+d.name, prefix, d.name, extra))
	sl.WaitLog("binlog streaming from", 30*time.Second)
	recs := consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".audit")
	after, _ := payload(t, recs[0].Value)["after"].(map[string]any)
	if after["note"] != "init;ANSI_QUOTES" {
		t.Errorf("audit row %v, want the note the initial statements wrote: init;ANSI_QUOTES", after)
	}
	sl.Stop()

	extra["database.initial.statements"] = "SET SESSION wait_timeout = 600;SELEC 1"
	bad := startDaemon(t, e, "--log-format", "console", connectorFile(t, e, "c2-"+d.name, prefix+"b", d.name, extra))
	log := bad.WaitExit(60 * time.Second)
	if bad.Err == nil || !strings.Contains(log, `database.initial.statements: \"SELEC 1\": the server at`) {
		t.Errorf("exit %v; want a failure naming database.initial.statements and the statement:\n%s", bad.Err, tail(log, 3000))
	}
}
