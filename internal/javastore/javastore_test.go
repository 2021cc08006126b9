package javastore

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func storeFile(name string) string { return filepath.Join("testdata", name) }

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(storeFile(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The stores keytool makes read as the certificates and key they hold:
// trust stores of both formats (a JKS one without its password too, as
// Java reads it, unchecked), key stores with the client's key and chain.
func TestJavaStores(t *testing.T) {
	caBlock, _ := pem.Decode(mustRead(t, "ca.pem"))
	for _, tc := range []struct{ file, typ, pass string }{
		{"trust.jks", "", "changeit"}, {"trust.jks", "JKS", ""}, {"trust.p12", "", "changeit"}, {"trust.p12", "PKCS12", "changeit"},
	} {
		got, err := PEM(mustRead(t, tc.file), tc.typ, tc.pass, "", false)
		if err != nil {
			t.Fatalf("%s (type %q): %v", tc.file, tc.typ, err)
		}
		b, rest := pem.Decode(got)
		if b == nil || !bytes.Equal(b.Bytes, caBlock.Bytes) || len(bytes.TrimSpace(rest)) != 0 {
			t.Errorf("%s: %q, want the CA certificate alone", tc.file, got)
		}
	}
	leaf := mustRead(t, "client.crt")
	leafBlock, _ := pem.Decode(leaf)
	for _, tc := range []struct{ file, pass, keyPass string }{
		{"client.jks", "changeit", ""}, {"client.p12", "changeit", ""}, {"client-keypass.jks", "changeit", "keysecret"},
	} {
		got, err := PEM(mustRead(t, tc.file), "", tc.pass, tc.keyPass, true)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		cert, err := tls.X509KeyPair(got, got)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if !bytes.Equal(cert.Certificate[0], leafBlock.Bytes) || len(cert.Certificate) != 2 {
			t.Errorf("%s: chain of %d, leaf equal %v; want the client certificate and the CA", tc.file, len(cert.Certificate), bytes.Equal(cert.Certificate[0], leafBlock.Bytes))
		}
	}
	for _, tc := range []struct{ file, pass, keyPass, want string }{
		{"trust.jks", "wrong", "", "reading the JKS store: got invalid digest (check its password)"},
		{"client.p12", "wrong", "", "check its password"},
		{"client-keypass.jks", "changeit", "", `the key of entry "client"`},
		{"trust.jks", "changeit", "", "the JKS store holds no private key entry"},
	} {
		_, err := PEM(mustRead(t, tc.file), "", tc.pass, tc.keyPass, true)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s with password %q: %v, want %q", tc.file, tc.pass, err, tc.want)
		}
	}
}
