package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDatabaseTLSModes: each class's database.ssl.mode values and default,
// as Debezium 3.5 has them, and the TLS each one sets up.
func TestDatabaseTLSModes(t *testing.T) {
	pki := newTestPKI(t)
	type want struct {
		tls, optional, skipVerify, chainOnly bool
		serverName                           string
	}
	cases := []struct {
		class, mode string
		want        want
	}{
		{MySQLConnectorClass, "", want{tls: true, optional: true, skipVerify: true}}, // preferred
		{MySQLConnectorClass, "disabled", want{}},
		{MySQLConnectorClass, "required", want{tls: true, skipVerify: true}},
		{MySQLConnectorClass, "VERIFY_CA", want{tls: true, skipVerify: true, chainOnly: true}},
		{MySQLConnectorClass, "verify_identity", want{tls: true, serverName: "127.0.0.1"}},
		{MariaDBConnectorClass, "", want{}}, // disable
		{MariaDBConnectorClass, "trust", want{tls: true, skipVerify: true}},
		{MariaDBConnectorClass, "verify-ca", want{tls: true, skipVerify: true, chainOnly: true}},
		{MariaDBConnectorClass, "verify-full", want{tls: true, serverName: "127.0.0.1"}},
	}
	for _, c := range cases {
		kv := []any{"connector.class", c.class, "database.ssl.keystore", pki.clientFile}
		if c.mode != "" {
			kv = append(kv, "database.ssl.mode", c.mode)
		}
		if strings.Contains(strings.ToLower(c.mode), "verify") {
			kv = append(kv, "database.ssl.truststore", pki.caFile)
		}
		conn, warns := mustParse(t, with(kv...))
		d := conn.DatabaseTLS
		got := want{tls: d.Config != nil, optional: d.Optional}
		if d.Config != nil {
			got.skipVerify, got.chainOnly, got.serverName = d.Config.InsecureSkipVerify, d.Config.VerifyPeerCertificate != nil, d.Config.ServerName
			if len(d.Config.Certificates) != 1 {
				t.Errorf("%s %q: the keystore's certificate is not used", c.class, c.mode)
			}
			if strings.Contains(strings.ToLower(c.mode), "verify") && d.Config.RootCAs == nil && d.Config.VerifyPeerCertificate == nil {
				t.Errorf("%s %q: no trust store", c.class, c.mode)
			}
		}
		if got != c.want {
			t.Errorf("%s %q (mode %s): got %+v, want %+v", c.class, c.mode, d.Mode, got, c.want)
		}
		if !c.want.tls && !strings.Contains(warningsText(warns), `property "database.ssl.keystore" is ignored: database.ssl.mode=`) {
			t.Errorf("%s %q: the keystore of a mode without TLS drew no warning:\n%s", c.class, c.mode, warningsText(warns))
		}
	}
	// The chain-only check accepts the CA's server certificate and no other.
	conn, _ := mustParse(t, with("database.ssl.mode", "verify_ca", "database.ssl.truststore", pki.caFile))
	if err := conn.DatabaseTLS.Config.VerifyPeerCertificate([][]byte{pki.serverDER}, nil); err != nil {
		t.Errorf("verify_ca refused the CA's certificate: %v", err)
	}
	if err := conn.DatabaseTLS.Config.VerifyPeerCertificate([][]byte{pki.otherDER}, nil); err == nil {
		t.Error("verify_ca took another CA's certificate")
	}
	// A trust store a mode does not read is named.
	_, warns := mustParse(t, with("database.ssl.mode", "required", "database.ssl.truststore", pki.caFile))
	if w := warningsText(warns); !strings.Contains(w, `property "database.ssl.truststore" is ignored: database.ssl.mode=required does not check the server's certificate; use verify_ca or verify_identity to check it`) {
		t.Errorf("got warnings:\n%s", w)
	}
}

// TestDatabaseTLSErrors: a mode of the other class, a broken JKS store and a
// missing file are refused with the fix.
func TestDatabaseTLSErrors(t *testing.T) {
	jks := filepath.Join(t.TempDir(), "truststore.jks")
	if err := os.WriteFile(jks, []byte("\xfe\xed\xfe\xed"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		kv   []any
		want string
	}{
		{[]any{"connector.class", MariaDBConnectorClass, "database.ssl.mode", "required"},
			`property "database.ssl.mode": value "required" is not one of the allowed values; use one of disable, trust, verify-ca, verify-full (default disable)`},
		{[]any{"database.ssl.mode", "verify-full"},
			`property "database.ssl.mode": value "verify-full" is not one of the allowed values; use one of disabled, preferred, required, verify_ca, verify_identity (default preferred)`},
		{[]any{"database.ssl.mode", "verify_identity", "database.ssl.truststore", jks, "database.ssl.truststore.password", "changeit"},
			`property "database.ssl.truststore": value "` + jks + `" cannot be read as a truststore: reading the JKS store: read version: read 4 bytes: EOF (check its password) (Debezium's stores are JKS or PKCS12)`},
		{[]any{"database.ssl.mode", "required", "database.ssl.keystore", jks + ".missing"},
			`property "database.ssl.keystore": value "` + jks + `.missing" cannot be read (no such file or directory); set it to the keystore file (PEM, JKS or PKCS12)`},
	}
	for _, c := range cases {
		errs := parseErrs(t, with(c.kv...))
		if got := errs.Error(); !strings.Contains(got, c.want) {
			t.Errorf("%v:\n got %s\nwant %s", c.kv, got, c.want)
		}
	}
}
