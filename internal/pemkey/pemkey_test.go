package pemkey

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plainKey is the PKCS#8 DER of an unencrypted key file.
func plainKey(t *testing.T, name string) []byte {
	t.Helper()
	b, _ := pem.Decode(read(t, name))
	if b == nil {
		t.Fatalf("%s holds no PEM", name)
	}
	return b.Bytes
}

// TestDecrypt opens what `openssl pkcs8 -topk8` writes (testdata/README.md)
// into the very key it encrypted, and says what is wrong with the rest.
func TestDecrypt(t *testing.T) {
	for _, c := range []struct{ file, plain string }{
		{"ec-aes256-sha256.pem", "ec.pem"},
		{"rsa-aes128-sha1.pem", "rsa.pem"},
		{"rsa-des3-sha512.pem", "rsa.pem"},
	} {
		enc := read(t, c.file)
		if !Encrypted(enc) {
			t.Errorf("%s: not seen as encrypted", c.file)
		}
		// A certificate next to the key stays as it is.
		cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1, 2, 3}})
		out, err := Decrypt(append(enc, cert...), "key-pw")
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		key, rest := pem.Decode(out)
		if key == nil || key.Type != "PRIVATE KEY" || !bytes.Equal(key.Bytes, plainKey(t, c.plain)) {
			t.Errorf("%s: decrypted to %v, want %s's key", c.file, key, c.plain)
		}
		if _, err := x509.ParsePKCS8PrivateKey(key.Bytes); err != nil {
			t.Errorf("%s: %v", c.file, err)
		}
		if !bytes.Equal(rest, cert) {
			t.Errorf("%s: the certificate after the key became %q", c.file, rest)
		}
		if _, err := Decrypt(enc, "wrong"); err == nil || !strings.Contains(err.Error(), "does not open") {
			t.Errorf("%s with a wrong password: %v", c.file, err)
		}
		if _, err := Decrypt(enc, ""); err == nil || !strings.Contains(err.Error(), "no key password") {
			t.Errorf("%s without a password: %v", c.file, err)
		}
	}
	if _, err := Decrypt(read(t, "ec-traditional.pem"), "key-pw"); !errors.Is(err, ErrLegacy) {
		t.Errorf("traditional encrypted key: %v, want ErrLegacy", err)
	}
	if _, err := Decrypt(read(t, "ec-pbe-sha1-3des.pem"), "key-pw"); err == nil || !strings.Contains(err.Error(), "not PBES2") {
		t.Errorf("PKCS#12 PBE key: %v, want an error naming PBES2", err)
	}
	if Encrypted(read(t, "ec.pem")) {
		t.Error("an unencrypted key seen as encrypted")
	}
	if out, err := Decrypt(read(t, "ec.pem"), ""); err != nil || !bytes.Equal(out, read(t, "ec.pem")) {
		t.Errorf("an unencrypted key: %v, changed: %v", err, !bytes.Equal(out, read(t, "ec.pem")))
	}
}
