package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/config"
)

// TestConfigProvidersEndToEnd: a connector file that keeps its database
// account in a properties file and its host in the environment, through
// the worker's config.providers (Kafka's FileConfigProvider and
// EnvVarConfigProvider), as Kafka Connect deployments do, streams; a
// variable the file cannot give stops the daemon naming the property and
// the variable.
func TestConfigProvidersEndToEnd(t *testing.T) {
	e := needServers(t)
	d := newDB(t, e)
	d.execAll("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))")
	tmp := t.TempDir()
	secrets := filepath.Join(tmp, "db.properties")
	if err := os.WriteFile(secrets, []byte("user=sluice\npassword=sluice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	worker := filepath.Join(tmp, "worker.properties")
	if err := os.WriteFile(worker, []byte("config.providers=file,env\nconfig.providers.file.class="+config.FileConfigProvider+
		"\nconfig.providers.env.class="+config.EnvVarConfigProvider+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	host, _, _ := strings.Cut(e.mysqlAddr, ":")
	t.Setenv("E2E_DATABASE_HOST", host) // the daemon inherits the environment
	prefix := "e2e" + d.name[4:]
	extra := map[string]string{"database.user": "${file:" + secrets + ":user}", "database.password": "${file:" + secrets + ":password}",
		"database.hostname": "${env:E2E_DATABASE_HOST}", "value.converter.schemas.enable": "false"}
	cfg := connectorFile(t, e, "c-"+d.name, prefix, d.name, extra)
	// sluice validate without a broker still resolves them (it then checks
	// the server with the account the file gives).
	v := exec.Command(binPath, "validate", "--worker-config", worker, cfg)
	v.Env = append(os.Environ(), "SLUICE_BOOTSTRAP_SERVERS=")
	if out, err := v.CombinedOutput(); err != nil || !strings.Contains(string(out), "ok") {
		t.Errorf("sluice validate: %v\n%s", err, out)
	}
	sl := startDaemon(t, e, "--log-format", "console", "--worker-config", worker, cfg)
	sl.WaitLog("binlog streaming from", 30*time.Second)
	d.execAll("INSERT INTO t VALUES (1, 'a')")
	recs := consume(t, e, 1, 30*time.Second, prefix+"."+d.name+".t")
	if after, _ := payload(t, recs[0].Value)["after"].(map[string]any); after["v"] != "a" {
		t.Errorf("record %s, want the inserted row", recs[0].Value)
	}
	sl.Stop()

	extra["database.password"] = "${file:" + secrets + ":pass}"
	bad := startDaemon(t, e, "--log-format", "console", "--worker-config", worker, connectorFile(t, e, "c2-"+d.name, prefix+"b", d.name, extra))
	log := bad.WaitExit(30 * time.Second)
	if bad.Err == nil || !strings.Contains(log, `property "database.password"`) || !strings.Contains(log, `has no property "pass"`) {
		t.Errorf("exit %v; want a failure naming database.password and the missing key:\n%s", bad.Err, tail(log, 3000))
	}
}
