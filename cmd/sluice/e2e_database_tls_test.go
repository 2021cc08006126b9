package main

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/internal/conformance"
)

// tlsMariaDB starts a private MariaDB with TLS (deploy/local/mariadb.sh,
// instance "tls", the test CA of kafka.sh's TLS directory: the broker's
// certificate names 127.0.0.1) and users that must use TLS: tls_only
// (REQUIRE SSL) and tls_x509 (REQUIRE X509, a client certificate). It
// returns the instance's address.
func tlsMariaDB(t *testing.T, e env, sec secureKafka) string {
	t.Helper()
	dir := filepath.Dir(sec.ca)
	addr, _ := privateMariaDB(t, "tls", 23308,
		"--ssl-ca="+sec.ca+" --ssl-cert="+filepath.Join(dir, "broker.crt")+" --ssl-key="+filepath.Join(dir, "broker.pem")+" --server-id=3")
	root, err := client.Connect(addr, "root", e.rootPass, "")
	if err != nil {
		t.Fatalf("connecting to the TLS MariaDB as root: %v", err)
	}
	defer root.Close()
	r, err := root.Execute("SHOW VARIABLES LIKE 'have_ssl'")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.GetString(0, 1); v != "YES" {
		t.Fatalf("the TLS MariaDB has no TLS: have_ssl is %q", v)
	}
	for _, q := range []string{
		"CREATE USER IF NOT EXISTS 'tls_only'@'%' IDENTIFIED BY 'tls' REQUIRE SSL",
		"CREATE USER IF NOT EXISTS 'tls_only'@'127.0.0.1' IDENTIFIED BY 'tls' REQUIRE SSL",
		"CREATE USER IF NOT EXISTS 'tls_x509'@'127.0.0.1' IDENTIFIED BY 'tls' REQUIRE X509",
		"GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR ON *.* TO 'tls_only'@'%', 'tls_only'@'127.0.0.1', 'tls_x509'@'127.0.0.1'",
	} {
		if _, err := root.Execute(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return addr
}

// TestDatabaseTLSEndToEnd runs the daemon against a MariaDB whose users
// must use TLS: database.ssl.mode verify-full (MariaDB class, the CA as a
// PEM truststore), the MySQL class's default, preferred, and trust with a
// client certificate (REQUIRE X509), and verify-ca with Java stores (JKS
// trust store, PKCS12 key store) snapshot and stream. Without TLS
// (disable, the MariaDB class's default) the server refuses the user, and
// a truststore without the server's CA stops the connector with what to
// check.
func TestDatabaseTLSEndToEnd(t *testing.T) {
	e := needServers(t)
	sec := needSecureKafka(t)
	e.mysqlAddr = tlsMariaDB(t, e, sec)

	works := []struct{ name, class, user string }{
		{"mariadb_verify_full", "io.debezium.connector.mariadb.MariaDbConnector", "tls_only"},
		{"mysql_preferred", "io.debezium.connector.mysql.MySqlConnector", "tls_only"},
		{"mariadb_trust_client_cert", "io.debezium.connector.mariadb.MariaDbConnector", "tls_x509"},
		{"mariadb_verify_ca_java_stores", "io.debezium.connector.mariadb.MariaDbConnector", "tls_x509"},
	}
	// Debezium's stores are Java's: a JKS trust store and a PKCS12 key store.
	trustJKS, keyP12 := javaStores(t, sec)
	extra := map[string]map[string]string{
		"mariadb_verify_ca_java_stores": {"database.ssl.mode": "verify-ca", "database.ssl.truststore": trustJKS,
			"database.ssl.truststore.password": "trust-pw", "database.ssl.keystore": keyP12, "database.ssl.keystore.password": "key-pw"},
		"mariadb_verify_full":       {"database.ssl.mode": "verify-full", "database.ssl.truststore": sec.ca},
		"mysql_preferred":           {},
		"mariadb_trust_client_cert": {"database.ssl.mode": "trust", "database.ssl.keystore": sec.client},
	}
	for i, c := range works {
		t.Run(c.name, func(t *testing.T) {
			d := newDB(t, e)
			d.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))")
			d.exec("INSERT INTO t VALUES (1, 'before')")
			prefix := fmt.Sprintf("tls%d%s", i, d.name[4:])
			props := map[string]string{"connector.class": c.class, "database.user": c.user, "database.password": "tls",
				"database.server.id": fmt.Sprint(9700 + i)}
			for k, v := range extra[c.name] {
				props[k] = v
			}
			cfg := connectorFile(t, e, "c-"+prefix, prefix, d.name, props)
			sl := startDaemon(t, e, "--log-format", "console", cfg)
			sl.WaitLog("binlog streaming from", 60*time.Second)
			d.exec(fmt.Sprintf("INSERT INTO t VALUES (%d, 'streamed')", 10+i))
			recs := consume(t, e, 2, 60*time.Second, prefix+"."+d.name+".t")
			if got := opsAndV(t, recs); got != "r:before c:streamed" {
				t.Fatalf("records: %s", got)
			}
		})
	}

	refused := []struct{ name, class, user, want string }{
		{"mariadb_default_plaintext", "io.debezium.connector.mariadb.MariaDbConnector", "tls_only", "Access denied for user 'tls_only'"},
		{"untrusted_server", "io.debezium.connector.mariadb.MariaDbConnector", "tls_only",
			"x509: certificate signed by unknown authority; check that database.ssl.truststore holds the CA certificate that signed the server's certificate"},
	}
	for i, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			d := newDB(t, e)
			prefix := fmt.Sprintf("tlsr%d%s", i, d.name[4:])
			props := map[string]string{"connector.class": c.class, "database.user": c.user, "database.password": "tls"}
			if c.name == "untrusted_server" {
				props["database.ssl.mode"], props["database.ssl.truststore"] = "verify-ca", sec.client
			}
			cfg := connectorFile(t, e, "c-"+prefix, prefix, d.name, props)
			sl := conformance.StartDaemon(t, binPath, "run", "--bootstrap-servers", e.kafka, cfg)
			waitRefused(t, sl, c.want)
		})
	}
}
