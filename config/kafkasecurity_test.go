package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testPKI is a CA with a broker and a client certificate, as PEM files.
type testPKI struct {
	caFile, clientFile string
	serverDER          []byte // the broker's certificate, for verification
	otherDER           []byte // a certificate of another CA
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, caCert, caDER := makeCert(t, "sluice test CA", nil, nil, true)
	_, _, serverDER := makeCert(t, "broker", caCert, caKey, false)
	clientKey, _, clientDER := makeCert(t, "client", caCert, caKey, false)
	_, _, otherDER := makeCert(t, "stranger", nil, nil, false)
	p := testPKI{caFile: filepath.Join(dir, "ca.pem"), clientFile: filepath.Join(dir, "client.pem"), serverDER: serverDER, otherDER: otherDER}
	writePEM(t, p.caFile, pemBlock("CERTIFICATE", caDER))
	kb, err := x509.MarshalPKCS8PrivateKey(clientKey)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, p.clientFile, pemBlock("PRIVATE KEY", kb)+pemBlock("CERTIFICATE", clientDER))
	return p
}

func makeCert(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, ca bool) (*ecdsa.PrivateKey, *x509.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: ca, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return key, c, der
}

func pemBlock(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func writePEM(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

func loadSecurity(t *testing.T, lines string, env ...string) (*Worker, string, error) {
	t.Helper()
	file := writeFile(t, "bootstrap.servers=k:9092\n"+lines)
	w, warns, err := LoadWorker(file, env, nil)
	return w, warningsText(warns), err
}

const scram512 = `org.apache.kafka.common.security.scram.ScramLoginModule required username="cdc" password="s3cr\"t";`

// TestKafkaSecurityAccepted: a SASL_SSL worker file as Kafka Connect's
// (both levels equal) and one with the producer.* forms only give the same
// TLS and SASL settings, without warnings.
func TestKafkaSecurityAccepted(t *testing.T) {
	pki := newTestPKI(t)
	// A backslash in a .properties value is written twice.
	settings := "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=" + strings.ReplaceAll(scram512, `\`, `\\`) + "\n" +
		"ssl.truststore.type=PEM\nssl.truststore.location=" + pki.caFile + "\nssl.keystore.type=PEM\nssl.keystore.location=" + pki.clientFile + "\n"
	var producer strings.Builder
	for l := range strings.Lines(settings) {
		producer.WriteString("producer." + l)
	}
	both := settings + strings.Replace(producer.String(), "=SASL_SSL", "=sasl_ssl", 1)
	for name, lines := range map[string]string{"worker level": settings, "both levels": both, "producer level": producer.String()} {
		w, warns, err := loadSecurity(t, lines)
		if err != nil || warns != "" {
			t.Fatalf("%s: %v\n%s", name, err, warns)
		}
		k := w.Kafka
		if k.Protocol != "SASL_SSL" || k.SASL == nil || *k.SASL != (SASLAuth{Mechanism: "SCRAM-SHA-512", Username: "cdc", Password: `s3cr"t`}) {
			t.Errorf("%s: got %s %v", name, k.Protocol, k.SASL)
		}
		if k.TLS == nil || k.TLS.RootCAs == nil || len(k.TLS.Certificates) != 1 || k.TLS.InsecureSkipVerify || k.TLS.MinVersion != tls.VersionTLS12 {
			t.Errorf("%s: TLS %+v", name, k.TLS)
		}
	}
	if s := fmt.Sprintf("%v %+v", SASLAuth{Mechanism: "PLAIN", Username: "u", Password: "p4ss"}, KafkaSecurity{SASL: &SASLAuth{Password: "p4ss"}}); strings.Contains(s, "p4ss") {
		t.Errorf("the password is printed: %s", s)
	}

	// PLAIN from the environment, over TLS with the system's roots.
	w, warns, err := loadSecurity(t, "security.protocol=SASL_SSL\n", "SLUICE_SASL_MECHANISM=PLAIN",
		`SLUICE_SASL_JAAS_CONFIG=org.apache.kafka.common.security.plain.PlainLoginModule required username=alice password="a b";`)
	if err != nil || warns != "" || w.Kafka.SASL.Username != "alice" || w.Kafka.SASL.Password != "a b" || w.Kafka.TLS.RootCAs != nil {
		t.Errorf("from the environment: %v %s %v", err, warns, w)
	}
}

// TestKafkaSecurityHostnameAndProtocols: an empty
// ssl.endpoint.identification.algorithm still verifies the chain;
// ssl.enabled.protocols sets the lowest version.
func TestKafkaSecurityHostnameAndProtocols(t *testing.T) {
	pki := newTestPKI(t)
	w, _, err := loadSecurity(t, "security.protocol=SSL\nssl.truststore.location="+pki.caFile+"\nssl.endpoint.identification.algorithm=\nssl.enabled.protocols=TLSv1.3\n")
	if err != nil {
		t.Fatal(err)
	}
	c := w.Kafka.TLS
	if !c.InsecureSkipVerify || c.VerifyPeerCertificate == nil || c.MinVersion != tls.VersionTLS13 || w.Kafka.SASL != nil {
		t.Fatalf("got %+v", c)
	}
	if err := c.VerifyPeerCertificate([][]byte{pki.serverDER}, nil); err != nil {
		t.Errorf("the CA's broker certificate: %v", err)
	}
	if err := c.VerifyPeerCertificate([][]byte{pki.otherDER}, nil); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Errorf("another CA's certificate: %v", err)
	}
}

// TestKafkaSecurityErrors: each setting Sluice cannot follow is named with
// the fix; secrets stay masked.
func TestKafkaSecurityErrors(t *testing.T) {
	pki := newTestPKI(t)
	dir := t.TempDir()
	jks := filepath.Join(dir, "store.jks")
	writePEM(t, jks, "\xfe\xed\xfe\xed binary")
	enc := filepath.Join(dir, "enc.pem")
	writePEM(t, enc, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
	plain := "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";"
	cases := []struct{ lines, want string }{
		{"security.protocol=TLS\n", `property "security.protocol" (from F:2): value "TLS" is not a Kafka security protocol; use PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL`},
		{"security.protocol=SSL\nproducer.security.protocol=SASL_SSL\n", `property "producer.security.protocol" (from F:3): value "SASL_SSL" differs from security.protocol; Sluice's Kafka clients (producer, offset and history stores) share one connection setting, so set security.protocol only or make the two equal`},
		{"security.protocol=SASL_PLAINTEXT\nsasl.jaas.config=" + plain + "\n", `property "sasl.mechanism" is required with security.protocol=SASL_PLAINTEXT: Kafka's default, GSSAPI (Kerberos), is not supported by Sluice; set PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512`},
		{"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=OAUTHBEARER\n", `property "sasl.mechanism" (from F:3): value "OAUTHBEARER" is not a SASL mechanism Sluice supports; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (GSSAPI and OAUTHBEARER are not supported)`},
		{"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n", `property "sasl.jaas.config" is required with sasl.mechanism=PLAIN; set it to org.apache.kafka.common.security.plain.PlainLoginModule required username="<user>" password="<password>";`},
		{"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=" + plain + "\n", `property "sasl.jaas.config" (from F:4): value "********" names the login module org.apache.kafka.common.security.plain.PlainLoginModule, but sasl.mechanism=SCRAM-SHA-256 takes org.apache.kafka.common.security.scram.ScramLoginModule`},
		{"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=PlainLoginModule username=\"u\"\n", `property "sasl.jaas.config" (from F:4): value "********" is not one JAAS login module entry; write it as org.apache.kafka.common.security.plain.PlainLoginModule required username="<user>" password="<password>";`},
		{"security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\";\n", `property "sasl.jaas.config" (from F:4): value "********" has no username or no password; set both: username="<user>" password="<password>"`},
		{"security.protocol=SASL_SSL\nproducer.sasl.mechanism=PLAIN\nproducer.sasl.jaas.config=${file:/etc/kafka/secrets.properties:jaas}\n", `property "producer.sasl.jaas.config" (from F:4): value "********" uses a config provider (${...}) that config.providers does not define; define it (Kafka's file, directory or environment provider), write the values in, or set the whole entry in SLUICE_SASL_JAAS_CONFIG`},
		{"security.protocol=SSL\nssl.truststore.type=JKS\nssl.truststore.location=" + jks + "\n", `property "ssl.truststore.location" (from F:4): value "` + jks + `" cannot be read as a truststore: reading the JKS store: read number of entries: read 4 bytes: unexpected EOF (check its password)`},
		{"security.protocol=SSL\nssl.truststore.type=JCEKS\nssl.truststore.location=" + jks + "\n", `property "ssl.truststore.type" (from F:3): value "JCEKS" is not a store type Sluice reads; use PEM, JKS or PKCS12 (or ` + "export its certificates with `keytool -exportcert -rfc -keystore <store> -alias <alias>` (or `openssl pkcs12 -in <store> -nokeys`))"},
		{"security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location=" + jks + "\n", `property "ssl.truststore.location" (from F:4): value "` + jks + `" is not a PEM file, but ssl.truststore.type is PEM; set ssl.truststore.type to the store's type (JKS or PKCS12), or ` + "export its certificates with `keytool -exportcert -rfc -keystore <store> -alias <alias>` (or `openssl pkcs12 -in <store> -nokeys`)"},
		{"security.protocol=SSL\nssl.truststore.location=" + jks + "\n", `property "ssl.truststore.location" (from F:3): value "` + jks + `" cannot be read as a truststore: reading the JKS store: read number of entries: read 4 bytes: unexpected EOF (check its password) (Kafka's default is JKS)`},
		{"security.protocol=SSL\nssl.truststore.location=" + dir + "/none.pem\n", `property "ssl.truststore.location" (from F:3): value "` + dir + `/none.pem" cannot be read (no such file or directory); set it to the truststore file (PEM, JKS or PKCS12)`},
		{"security.protocol=SSL\nssl.truststore.location=" + pki.clientFile + "\nssl.truststore.certificates=x\n", `property "ssl.truststore.certificates" (from F:4): value "x" is set together with ssl.truststore.location; set one of them`},
		{"security.protocol=SSL\nssl.keystore.location=" + enc + "\n", `property "ssl.keystore.location" (from F:3): value "` + enc + `" holds an encrypted private key that cannot be read: the private key is encrypted and no key password is set`},
		{"security.protocol=SSL\nssl.keystore.location=" + enc + "\nssl.key.password=pw\n", `property "ssl.keystore.location" (from F:3): value "` + enc + `" holds an encrypted private key that cannot be read: its ENCRYPTED PRIVATE KEY block is not a PKCS#8 encrypted key; make it with ` + "`openssl pkcs8 -topk8 -v2 aes-256-cbc`"},
		{"security.protocol=SSL\nssl.keystore.location=" + pki.caFile + "\n", `property "ssl.keystore.location" (from F:3): value "` + pki.caFile + `" is not a PEM private key with its certificate chain (tls: found a certificate rather than a key in the PEM for the private key)`},
		{"security.protocol=SSL\nssl.keystore.key=-----BEGIN PRIVATE KEY-----\n", `property "ssl.keystore.key" (from F:3): value "********" is set without ssl.keystore.certificate.chain; set both (the PEM private key and its certificate chain)`},
		{"security.protocol=SSL\nssl.endpoint.identification.algorithm=none\n", `property "ssl.endpoint.identification.algorithm" (from F:3): value "none" is not an endpoint identification algorithm; use https (default: the broker's certificate must name its host) or an empty value (no hostname check)`},
		{"security.protocol=SSL\nssl.enabled.protocols=TLSv1.2,TLSv1.1\n", `property "ssl.enabled.protocols" (from F:3): value "TLSv1.2,TLSv1.1" enables "TLSv1.1", which Sluice does not speak; use TLSv1.2 and/or TLSv1.3`},
	}
	for _, c := range cases {
		file := writeFile(t, "bootstrap.servers=k:9092\n"+c.lines)
		_, _, err := LoadWorker(file, nil, nil)
		if want := "worker: " + strings.ReplaceAll(c.want, "(from F:", "(from "+file+":"); err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", c.lines, err, want)
		}
	}
}

// TestKafkaSecurityWarnings: settings a protocol does not use, and TLS or
// SASL settings Sluice does not apply, draw warnings.
func TestKafkaSecurityWarnings(t *testing.T) {
	_, warns, err := loadSecurity(t, "ssl.truststore.location=/x\nsasl.mechanism=PLAIN\nssl.cipher.suites=A\nproducer.sasl.login.class=B\n")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`property "ssl.truststore.location" (from F:2) is ignored: security.protocol is PLAINTEXT, which does not use TLS`,
		`property "sasl.mechanism" (from F:3) is ignored: security.protocol is PLAINTEXT, which does not use SASL`,
		`property "ssl.cipher.suites" (from F:4) is a Kafka TLS or SASL setting Sluice does not apply; it applies security.protocol, ssl.truststore.type`,
		`property "producer.sasl.login.class" (from F:5) is a Kafka TLS or SASL setting Sluice does not apply`,
	} {
		if !strings.Contains(warns, want[:strings.Index(want, "(from")]) || !strings.Contains(warns, want[strings.Index(want, ":")+1:]) {
			t.Errorf("missing warning\n  %s\nin\n%s", want, warns)
		}
	}
}
