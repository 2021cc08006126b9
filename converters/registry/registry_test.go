package registry

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sluice-cdc/sluice/internal/fault"
)

var bg = context.Background()

// TestRequests checks what goes on the wire: the URL's path kept, auth
// headers, the next URL tried when one is down, and the error kinds.
func TestRequests(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization")+" "+string(body))
		w.Header().Set("Content-Type", contentType)
		switch {
		case strings.HasSuffix(r.URL.Path, "/subjects/bad-value/versions"):
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"error_code":409,"message":"Incompatible schema: field x removed"}`)
		case strings.HasSuffix(r.URL.Path, "/subjects/flaky-value/versions"):
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `overloaded`)
		default:
			fmt.Fprint(w, `{"id":7}`)
		}
	}))
	defer srv.Close()
	dead := "http://127.0.0.1:1/nothing"

	props := map[string]string{
		PropURL:               dead + ", " + srv.URL + "/apis/ccompat/v7/",
		PropBasicAuthSource:   "USER_INFO",
		PropBasicAuthUserInfo: "fred:s3cret",
	}
	cfg, err := FromProps(props)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.Register(bg, "db.t-value", `"string"`)
	if err != nil || id != 7 {
		t.Fatalf("register: %d %v", id, err)
	}
	want := `POST /apis/ccompat/v7/subjects/db.t-value/versions Basic ZnJlZDpzM2NyZXQ= {"schema":"\"string\""}`
	if len(got) != 1 || got[0] != want {
		t.Fatalf("requests %q, want %q", got, want)
	}

	_, err = c.Register(bg, "bad-value", `"string"`)
	var re *Error
	if !errors.As(err, &re) || !re.Incompatible() || !fault.IsDefinite(err) || !strings.Contains(err.Error(), "field x removed") {
		t.Fatalf("409: %v", err)
	}
	_, err = c.Register(bg, "flaky-value", `"string"`)
	if err == nil || fault.IsDefinite(err) || !strings.Contains(err.Error(), "HTTP 503") {
		t.Fatalf("503: %v, want transient", err)
	}

	got = nil
	c, _ = New(Config{URLs: []string{srv.URL}, BearerToken: "tok"})
	if _, err := c.Lookup(bg, "s", "{}"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "POST /subjects/s Bearer tok ") {
		t.Fatalf("bearer: %q", got)
	}

	c, _ = New(Config{URLs: []string{dead}, Timeout: time.Second})
	_, err = c.Register(bg, "s", "{}")
	if err == nil || fault.IsDefinite(err) {
		t.Fatalf("unreachable registry: %v, want transient", err)
	}
}

// The registry client's Java stores, as Confluent's client takes them
// (JKS by default): a PKCS12 trust store found by its content, a JKS key
// store with a key password of its own.
func TestFromPropsJavaStores(t *testing.T) {
	store := func(n string) string { return filepath.Join("..", "..", "internal", "javastore", "testdata", n) }
	cfg, err := FromProps(map[string]string{PropURL: "https://r", PropTrustLocation: store("trust.p12"), PropTrustPassword: "changeit",
		PropKeyLocation: store("client-keypass.jks"), PropKeyType: "JKS", PropKeyPassword: "changeit", PropKeyKeyPassword: "keysecret"})
	if err != nil || cfg.TLS == nil || cfg.TLS.RootCAs == nil || len(cfg.TLS.Certificates) != 1 {
		t.Fatalf("%+v, %v", cfg.TLS, err)
	}
	_, err = FromProps(map[string]string{PropURL: "https://r", PropTrustLocation: store("trust.jks"), PropTrustPassword: "nope"})
	if err == nil || !strings.Contains(err.Error(), "check its password") {
		t.Errorf("wrong password: %v", err)
	}
}

func TestFromPropsErrors(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, PropURL + " is required"},
		{map[string]string{PropURL: "http://r", PropBasicAuthSource: "USER_INFO"}, PropBasicAuthUserInfo},
		{map[string]string{PropURL: "http://r", PropBearerAuthSource: "STATIC_TOKEN"}, PropBearerAuthToken},
		{map[string]string{PropURL: "http://r", PropTrustLocation: "/x.jks", PropTrustType: "JKS"}, PropTrustLocation + ": open /x.jks"},
		{map[string]string{PropURL: "http://r", PropTrustLocation: "/x.jks", PropTrustType: "JCEKS"}, "is not one Sluice reads; use PEM, JKS or PKCS12"},
	} {
		if _, err := FromProps(tc.props); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.props, err, tc.want)
		}
	}
	cfg, err := FromProps(map[string]string{PropApicurioURL: "http://h:8080/apis/registry/v2"})
	if err != nil || cfg.URLs[0] != "http://h:8080/apis/ccompat/v7" {
		t.Fatalf("apicurio URL: %v %v", cfg.URLs, err)
	}
}

// TestRealRegistry runs against the registry of deploy/local/registry.sh
// (SLUICE_TEST_REGISTRY_URL): ids, lookups, and a BACKWARD subject refusing
// a change that drops a field without default.
func TestRealRegistry(t *testing.T) {
	u := os.Getenv("SLUICE_TEST_REGISTRY_URL")
	if u == "" {
		t.Skip("SLUICE_TEST_REGISTRY_URL not set (deploy/local/registry.sh start)")
	}
	c, err := New(Config{URLs: []string{u}})
	if err != nil {
		t.Fatal(err)
	}
	subject := fmt.Sprintf("sluice-registry-test-%d-value", time.Now().UnixNano())
	v1 := `{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}`
	v2 := `{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}]}`
	bad := `{"type":"record","name":"R","fields":[{"name":"c","type":"string"}]}`
	id1, err := c.Register(bg, subject, v1)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := c.Register(bg, subject, v1); err != nil || again != id1 {
		t.Fatalf("registering again: %d %v, want %d", again, err, id1)
	}
	if found, err := c.Lookup(bg, subject, v1); err != nil || found != id1 {
		t.Fatalf("lookup: %d %v", found, err)
	}
	if err := c.SetCompatibility(bg, subject, "BACKWARD"); err != nil {
		t.Fatal(err)
	}
	id2, err := c.Register(bg, subject, v2)
	if err != nil || id2 == id1 {
		t.Fatalf("v2: %d %v", id2, err)
	}
	if id, text, err := c.Latest(bg, subject); err != nil || id != id2 || !strings.Contains(text, `"b"`) {
		t.Fatalf("latest: %d %q %v", id, text, err)
	}
	if text, err := c.SchemaByID(bg, id1); err != nil || !strings.Contains(text, `"a"`) {
		t.Fatalf("by id: %q %v", text, err)
	}
	_, err = c.Register(bg, subject, bad)
	var re *Error
	if !errors.As(err, &re) || !re.Incompatible() || !fault.IsDefinite(err) {
		t.Fatalf("incompatible schema: %v", err)
	}
	t.Logf("registry's refusal: %v", err)
	_, err = c.Lookup(bg, subject, bad)
	if !errors.As(err, &re) || !re.NotFound() {
		t.Fatalf("lookup of an unregistered schema: %v", err)
	}
	if vs, err := c.Versions(bg, subject); err != nil || len(vs) != 2 {
		t.Fatalf("versions: %v %v", vs, err)
	}
}

// TestTLSWithPEMTrustStore: an https registry whose certificate the system
// does not trust is reached with its CA in a PEM trust store, and refused
// without it.
func TestTLSWithPEMTrustStore(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"id":3}`)
	}))
	defer srv.Close()
	pemFile := filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(pemFile, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, props := range []map[string]string{
		{PropURL: srv.URL, PropTrustLocation: pemFile, PropTrustType: "PEM"},
		{PropURL: srv.URL, PropTrustCertificates: string(cert)},
	} {
		cfg, err := FromProps(props)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := New(cfg)
		if id, err := c.Register(bg, "s", "{}"); err != nil || id != 3 {
			t.Fatalf("with the CA: %d %v", id, err)
		}
	}
	c, _ := New(Config{URLs: []string{srv.URL}})
	if _, err := c.Register(bg, "s", "{}"); err == nil || !strings.Contains(err.Error(), "certificate") || !fault.IsDefinite(err) {
		t.Fatalf("without the CA: %v, want a definite certificate error", err)
	}
}

// An encrypted PKCS#8 key in a PEM key store opens with
// schema.registry.ssl.key.password; a wrong one says what to check.
func TestFromPropsEncryptedPEMKey(t *testing.T) {
	keys := filepath.Join("..", "..", "internal", "pemkey", "testdata")
	plain, err := os.ReadFile(filepath.Join(keys, "ec.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(plain)
	key, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.(crypto.Signer).Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := os.ReadFile(filepath.Join(keys, "ec-aes256-sha256.pem"))
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(store, append(enc, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...), 0o600); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{PropURL: "https://r", PropKeyLocation: store, PropKeyType: "PEM", PropKeyKeyPassword: "key-pw"}
	cfg, err := FromProps(props)
	if err != nil || cfg.TLS == nil || len(cfg.TLS.Certificates) != 1 {
		t.Fatalf("%+v, %v", cfg.TLS, err)
	}
	props[PropKeyKeyPassword] = "wrong"
	if _, err := FromProps(props); err == nil || !strings.Contains(err.Error(), "does not open the private key") || !strings.Contains(err.Error(), PropKeyKeyPassword) {
		t.Errorf("wrong key password: %v", err)
	}
}
