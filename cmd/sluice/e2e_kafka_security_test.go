package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/sluice-cdc/sluice/internal/conformance"
	"github.com/sluice-cdc/sluice/offsets"
)

// secureKafka is the local broker's TLS and SASL listeners and its test CA
// (deploy/local/kafka.sh, printed by up.sh).
type secureKafka struct {
	sasl, ssl, saslSSL string
	ca, client         string // PEM files: the CA, a client key + certificate
}

func needSecureKafka(t *testing.T) secureKafka {
	t.Helper()
	s := secureKafka{sasl: os.Getenv("SLUICE_TEST_KAFKA_SASL"), ssl: os.Getenv("SLUICE_TEST_KAFKA_SSL"),
		saslSSL: os.Getenv("SLUICE_TEST_KAFKA_SASL_SSL")}
	dir := os.Getenv("SLUICE_TEST_KAFKA_TLS_DIR")
	if s.sasl == "" || s.ssl == "" || s.saslSSL == "" || dir == "" {
		if os.Getenv("SLUICE_E2E") == "1" {
			t.Fatal("SLUICE_E2E=1 but SLUICE_TEST_KAFKA_SASL / _SSL / _SASL_SSL / _TLS_DIR are not set; start the servers with deploy/local/up.sh")
		}
		t.Skip("Kafka TLS/SASL test: set the SLUICE_TEST_KAFKA_* variables deploy/local/up.sh prints")
	}
	s.ca, s.client = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "client.pem")
	return s
}

// javaStores makes, from the local broker's PEM CA and client key, the
// stores a Kafka Connect worker would have: a JKS trust store (keytool)
// and a PKCS12 key store (openssl, then keytool, as the JDK writes it).
func javaStores(t *testing.T, sec secureKafka) (trustJKS, keyP12 string) {
	t.Helper()
	dir := t.TempDir()
	trustJKS, keyP12 = filepath.Join(dir, "trust.jks"), filepath.Join(dir, "client.p12")
	raw := filepath.Join(dir, "openssl.p12")
	for _, args := range [][]string{
		{"keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", sec.ca, "-keystore", trustJKS, "-storetype", "JKS", "-storepass", "trust-pw"},
		{"openssl", "pkcs12", "-export", "-in", sec.client, "-inkey", sec.client, "-name", "client", "-out", raw, "-passout", "pass:key-pw"},
		{"keytool", "-importkeystore", "-noprompt", "-srckeystore", raw, "-srcstoretype", "PKCS12", "-srcstorepass", "key-pw",
			"-destkeystore", keyP12, "-deststoretype", "PKCS12", "-deststorepass", "key-pw"},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return trustJKS, keyP12
}

// encryptedKeyStore writes the client's PEM key store with its key
// encrypted by OpenSSL (PBES2, AES-256-CBC, password key-pw).
func encryptedKeyStore(t *testing.T, sec secureKafka) string {
	t.Helper()
	dir := t.TempDir()
	key, cert := filepath.Join(dir, "client.key"), filepath.Join(dir, "client.crt")
	for _, args := range [][]string{
		{"openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", sec.client, "-passout", "pass:key-pw", "-out", key},
		{"openssl", "x509", "-in", sec.client, "-out", cert},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	var both []byte
	for _, f := range []string{key, cert} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		both = append(both, b...)
	}
	if !strings.Contains(string(both), "ENCRYPTED PRIVATE KEY") {
		t.Fatalf("openssl wrote no encrypted key:\n%s", both)
	}
	store := filepath.Join(dir, "client-encrypted.pem")
	writeFile(t, store, string(both))
	return store
}

const (
	scramModule = "org.apache.kafka.common.security.scram.ScramLoginModule"
	plainModule = "org.apache.kafka.common.security.plain.PlainLoginModule"
)

// addSCRAMUser gives user both SCRAM mechanisms, through the admin API on
// the PLAINTEXT listener (KRaft keeps SCRAM credentials in its metadata).
func addSCRAMUser(t *testing.T, e env, user, password string) {
	t.Helper()
	adm := kadm.NewClient(newKafkaClient(t, e))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// One mechanism a request: the broker refuses two for a user at once.
	for _, m := range []kadm.ScramMechanism{kadm.ScramSha256, kadm.ScramSha512} {
		res, err := adm.AlterUserSCRAMs(ctx, nil, []kadm.UpsertSCRAM{{User: user, Mechanism: m, Iterations: 4096, Password: password}})
		if err == nil {
			err = res.Error()
		}
		if err != nil {
			t.Fatalf("adding the SCRAM user %s (%s): %v", user, m, err)
		}
	}
	waitSCRAMLogin(t, user, password)
}

// waitSCRAMLogin waits until the broker's SASL listener takes user's
// login: the credentials reach its SCRAM cache a moment after the admin
// call returns, and a daemon started at once failed its login.
func waitSCRAMLogin(t *testing.T, user, password string) {
	t.Helper()
	addr := os.Getenv("SLUICE_TEST_KAFKA_SASL")
	if addr == "" {
		return
	}
	var err error
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var cl *kgo.Client
		cl, err = kgo.NewClient(kgo.SeedBrokers(addr), kgo.SASL(scram.Auth{User: user, Pass: password}.AsSha256Mechanism()))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = cl.Ping(ctx)
		cancel()
		cl.Close()
		if err == nil {
			return
		}
	}
	t.Fatalf("the SCRAM user %s cannot log in at %s: %v", user, addr, err)
}

// TestKafkaSecurityEndToEnd runs the daemon against the broker's SASL_SSL
// (SCRAM-SHA-512), SSL (with a client certificate) and SASL_PLAINTEXT
// (PLAIN, set through the producer.* forms) listeners: the records and the
// stored offset must arrive as over PLAINTEXT. Then a wrong password, no
// client certificate for the SSL listener (which requires one) and an
// untrusted broker certificate must stop the daemon with an error that
// says what to check.
func TestKafkaSecurityEndToEnd(t *testing.T) {
	e := needServers(t)
	sec := needSecureKafka(t)
	addSCRAMUser(t, e, "sluice-scram", "scram-secret")
	trustJKS, keyP12 := javaStores(t, sec)
	encKey := encryptedKeyStore(t, sec)
	cases := []struct{ name, listener, worker string }{
		// A PEM key store whose key is encrypted (PKCS#8, what `openssl
		// pkcs8 -topk8` writes), opened with ssl.key.password.
		{"ssl_client_cert_encrypted_pem_key", sec.ssl, fmt.Sprintf("security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=%s\n"+
			"ssl.keystore.type=PEM\nssl.keystore.location=%s\nssl.key.password=key-pw\n", sec.ca, encKey)},
		// A Kafka Connect worker's stores as keytool makes them: a JKS trust
		// store (Kafka's default type, unset) and a PKCS12 key store.
		{"ssl_client_cert_java_stores", sec.ssl, fmt.Sprintf("security.protocol=SSL\nssl.truststore.location=%s\nssl.truststore.password=trust-pw\n"+
			"ssl.keystore.type=PKCS12\nssl.keystore.location=%s\nssl.keystore.password=key-pw\nssl.key.password=key-pw\n", trustJKS, keyP12)},
		{"sasl_ssl_scram512", sec.saslSSL, fmt.Sprintf("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n"+
			"sasl.jaas.config=%s required username=\"sluice-scram\" password=\"scram-secret\";\nssl.truststore.type=PEM\nssl.truststore.location=%s\n",
			scramModule, sec.ca)},
		{"ssl_client_cert", sec.ssl, fmt.Sprintf("security.protocol=SSL\nssl.truststore.location=%s\nssl.keystore.type=PEM\nssl.keystore.location=%s\n",
			sec.ca, sec.client)},
		{"sasl_plaintext_plain", sec.sasl, fmt.Sprintf("producer.security.protocol=SASL_PLAINTEXT\nproducer.sasl.mechanism=PLAIN\n"+
			"producer.sasl.jaas.config=%s required username=\"sluice\" password=\"sluice-secret\";\n", plainModule)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDB(t, e)
			d.exec("CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20))")
			prefix := "sec" + d.name[4:]
			name := "c-" + d.name
			cfg := connectorFile(t, e, name, prefix, d.name, map[string]string{"snapshot.mode": "no_data"})
			wf := filepath.Join(t.TempDir(), "worker.properties")
			writeFile(t, wf, c.worker)
			// The flag: the test's SLUICE_BOOTSTRAP_SERVERS (PLAINTEXT)
			// would win over the file.
			sl := conformance.StartDaemon(t, binPath, "run", "--worker-config", wf, "--bootstrap-servers", c.listener, "--log-format", "console", cfg)
			sl.WaitLog("binlog streaming from", 60*time.Second)
			d.execAll("INSERT INTO t VALUES (1, 'one'), (2, 'two')", "UPDATE t SET v = 'zwei' WHERE id = 2")
			last := d.str("SELECT @@last_gtid")

			recs := consume(t, e, 3, 60*time.Second, prefix+"."+d.name+".t")
			if got := opsAndV(t, recs); got != "c:one c:two u:zwei" {
				t.Fatalf("records over %s: %s", c.name, got)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				_, v, ok := storedOffset(t, e, "_connect_offsets", offsets.Key(name, prefix))
				if ok && coversGTID(t, v, last) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the stored offset never covered %s: %s (found %v)", last, v, ok)
				}
				time.Sleep(300 * time.Millisecond)
			}
		})
	}

	refused := []struct{ name, listener, worker, want, hint string }{
		{"wrong_password", sec.sasl, fmt.Sprintf("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\n"+
			"sasl.jaas.config=%s required username=\"sluice-scram\" password=\"not-it\";\n", scramModule),
			"SASL_AUTHENTICATION_FAILED", "check the username and password in sasl.jaas.config, and that the user exists for sasl.mechanism=SCRAM-SHA-256"},
		{"no_client_cert", sec.ssl, fmt.Sprintf("security.protocol=SSL\nssl.truststore.location=%s\n", sec.ca),
			"remote error: tls: ", "the broker refused the TLS handshake: a listener that requires a client certificate needs ssl.keystore.location"},
		{"untrusted_broker", sec.ssl, fmt.Sprintf("security.protocol=SSL\nssl.truststore.location=%s\n", sec.client),
			"x509: certificate signed by unknown authority", "check that ssl.truststore.location (or ssl.truststore.certificates) holds the CA certificate that signed the brokers' certificates"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			d := newDB(t, e)
			cfg := connectorFile(t, e, "c-"+d.name, "sec"+d.name[4:], d.name, nil)
			wf := filepath.Join(t.TempDir(), "worker.properties")
			writeFile(t, wf, c.worker)
			sl := conformance.StartDaemon(t, binPath, "run", "--worker-config", wf, "--bootstrap-servers", c.listener, cfg)
			out := waitRefused(t, sl, c.want, c.hint)
			t.Logf("refused as expected:\n%s", tail(out, 600))
		})
	}
}
