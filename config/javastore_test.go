package config

import (
	"path/filepath"
	"testing"
)

// A Kafka Connect worker file's JKS and PKCS12 stores, and a Debezium
// connector file's database stores, configure TLS as their PEM forms do.
func TestJavaStoresInConfig(t *testing.T) {
	abs := func(n string) string {
		p, _ := filepath.Abs(filepath.Join("..", "internal", "javastore", "testdata", n))
		return p
	}
	w, _, err := LoadWorker(writeFile(t, "bootstrap.servers=localhost:9093\nsecurity.protocol=SSL\n"+
		"ssl.truststore.location="+abs("trust.jks")+"\nssl.truststore.password=changeit\n"+
		"ssl.keystore.type=PKCS12\nssl.keystore.location="+abs("client.p12")+"\nssl.keystore.password=changeit\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Kafka.TLS == nil || w.Kafka.TLS.RootCAs == nil || len(w.Kafka.TLS.Certificates) != 1 {
		t.Errorf("Kafka TLS %+v: want the trust store's CA and the client certificate", w.Kafka.TLS)
	}
	_, _, err = LoadWorker(writeFile(t, "bootstrap.servers=localhost:9093\nsecurity.protocol=SSL\n"+
		"ssl.keystore.location="+abs("client-keypass.jks")+"\nssl.keystore.password=changeit\nssl.key.password=keysecret\n"), nil, nil)
	if err != nil {
		t.Errorf("a JKS key store with its own key password: %v", err)
	}
	c, _ := mustParse(t, with("connector.class", MariaDBConnectorClass, "database.ssl.mode", "verify-ca",
		"database.ssl.truststore", abs("trust.p12"), "database.ssl.truststore.password", "changeit",
		"database.ssl.keystore", abs("client.jks"), "database.ssl.keystore.password", "changeit"))
	if c.DatabaseTLS.Config == nil || len(c.DatabaseTLS.Config.Certificates) != 1 || c.DatabaseTLS.Config.VerifyPeerCertificate == nil {
		t.Errorf("database TLS %+v", c.DatabaseTLS.Config)
	}
}
