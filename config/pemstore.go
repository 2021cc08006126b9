package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/sluice-cdc/sluice/internal/javastore"
	"github.com/sluice-cdc/sluice/internal/pemkey"
)

// storeKeys names the settings of a PEM trust or key store: Kafka's
// ssl.truststore.* / ssl.keystore.*, or Debezium's database.ssl.*.
type storeKeys struct {
	what      string // "truststore" or "keystore", for messages
	typeKey   string // the store type setting ("" when there is none)
	locKey    string // the file
	inlineKey string // the PEM itself ("" when there is none)
	chainKey  string // a key store's inline certificate chain ("" when there is none)
	convert   string // how to turn a JKS or PKCS12 store into PEM
	note      string // why the file may not be PEM, for messages
	passKey   string // the store's password (a JKS or PKCS12 store)
	keyPass   string // a JKS key entry's own password ("" when there is none)
}

const (
	trustConvert = "export its certificates with `keytool -exportcert -rfc -keystore <store> -alias <alias>` (or `openssl pkcs12 -in <store> -nokeys`)"
	keyConvert   = "export the key and chain with `openssl pkcs12 -in <store> -nodes` (a JKS store first through `keytool -importkeystore -deststoretype PKCS12`)"
)

// pemSource reads a store's PEM: inline under k.inlineKey or from the file
// under k.locKey, PEM or a Java key store (JKS or PKCS12, by the type
// setting or, unset, by the content) read into PEM. fromFile tells which;
// ok is false when neither is set or on error.
func (r *reader) pemSource(get securityGet, k storeKeys) (data []byte, key string, fromFile, ok bool) {
	typ := ""
	if k.typeKey != "" {
		if tk, t, typed := get(k.typeKey); typed {
			var err error
			if typ, err = javastore.CheckType(t); err != nil {
				r.fail(tk, t, fmt.Sprintf("is not a store type Sluice reads; use PEM, JKS or PKCS12 (or %s)", k.convert))
				return nil, "", false, false
			}
		}
	}
	lk, loc, hasLoc := get(k.locKey)
	var ik, inline string
	var hasInline bool
	if k.inlineKey != "" {
		ik, inline, hasInline = get(k.inlineKey)
	}
	switch {
	case hasLoc && hasInline:
		r.fail(ik, inline, fmt.Sprintf("is set together with %s; set one of them", k.locKey))
		return nil, "", false, false
	case hasInline && typ != "" && typ != "PEM":
		r.fail(ik, inline, fmt.Sprintf("is PEM text, but %s is %s; set %s=PEM", k.typeKey, typ, k.typeKey))
		return nil, "", false, false
	case hasInline:
		return []byte(inline), ik, false, true
	case !hasLoc:
		return nil, "", false, false
	}
	b, err := os.ReadFile(loc)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		r.fail(lk, loc, fmt.Sprintf("cannot be read (%v); set it to the %s file (PEM, JKS or PKCS12)", err, k.what))
		return nil, "", false, false
	}
	var pass, keyPass string
	if k.passKey != "" {
		_, pass, _ = get(k.passKey)
	}
	if k.keyPass != "" {
		_, keyPass, _ = get(k.keyPass)
	}
	b, err = javastore.Read(b, typ, pass, keyPass, k.what == "keystore")
	switch {
	case errors.Is(err, javastore.ErrNotPEM):
		r.fail(lk, loc, fmt.Sprintf("is not a PEM file, but %s is PEM; set %s to the store's type (JKS or PKCS12), or %s", k.typeKey, k.typeKey, k.convert))
		return nil, "", false, false
	case err != nil:
		msg := fmt.Sprintf("cannot be read as a %s: %v", k.what, err)
		if typ == "" && k.note != "" {
			msg += " (" + k.note + ")"
		}
		r.fail(lk, loc, msg)
		return nil, "", false, false
	}
	return b, lk, true, true
}

// trustStore reads the CA certificates a server is checked against; nil
// (the system's roots, as Java's default trust store) when none is set.
func (r *reader) trustStore(get securityGet, k storeKeys) *x509.CertPool {
	data, key, _, ok := r.pemSource(get, k)
	if !ok {
		return nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		r.fail(key, r.vals[key], "holds no PEM certificate (-----BEGIN CERTIFICATE-----); set it to the CA certificates that signed the server's certificate")
		return nil
	}
	return pool
}

// keyStore reads the client's key and certificate chain, for servers that
// ask for a client certificate.
func (r *reader) keyStore(get securityGet, k storeKeys) (tls.Certificate, bool) {
	var certPEM, keyPEM []byte
	var key string
	var hasChain bool
	var ck, chain string
	if k.chainKey != "" {
		ck, chain, hasChain = get(k.chainKey)
	}
	if hasChain {
		kk, kv, hasKey := get(k.inlineKey)
		if !hasKey {
			r.fail(ck, chain, fmt.Sprintf("is set without %s; set both (the PEM private key and its certificate chain)", k.inlineKey))
			return tls.Certificate{}, false
		}
		certPEM, keyPEM, key = []byte(chain), []byte(kv), kk
		if k.typeKey != "" {
			get(k.typeKey)
		}
	} else {
		data, kk, fromFile, ok := r.pemSource(get, k)
		if !ok {
			return tls.Certificate{}, false
		}
		if !fromFile {
			r.fail(kk, string(data), fmt.Sprintf("is set without %s; set both (the PEM private key and its certificate chain)", k.chainKey))
			return tls.Certificate{}, false
		}
		certPEM, keyPEM, key = data, data, kk
	}
	if pemkey.Encrypted(keyPEM) {
		var err error
		if keyPEM, err = pemkey.Decrypt(keyPEM, r.keyPassword(get, k)); err != nil {
			r.fail(key, r.vals[key], fmt.Sprintf("holds an encrypted private key that cannot be read: %v", err))
			return tls.Certificate{}, false
		}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		r.fail(key, r.vals[key], fmt.Sprintf("is not a PEM private key with its certificate chain (%v)", err))
		return tls.Certificate{}, false
	}
	return cert, true
}

// keyPassword opens an encrypted PEM private key: Kafka's ssl.key.password,
// or where a store has no key password of its own (Debezium's database
// stores), the store's password.
func (r *reader) keyPassword(get securityGet, k storeKeys) string {
	if k.keyPass != "" {
		if _, v, ok := get(k.keyPass); ok {
			return v
		}
	}
	if k.passKey != "" {
		if _, v, ok := get(k.passKey); ok {
			return v
		}
	}
	return ""
}
