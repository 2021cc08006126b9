package config

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
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
}

const (
	trustConvert = "export its certificates with `keytool -exportcert -rfc -keystore <store> -alias <alias>` (or `openssl pkcs12 -in <store> -nokeys`)"
	keyConvert   = "export the key and chain with `openssl pkcs12 -in <store> -nodes` (a JKS store first through `keytool -importkeystore -deststoretype PKCS12`)"
)

// pemSource reads a store's PEM: inline under k.inlineKey or from the file
// under k.locKey, with its type checked (PEM, or unset and PEM content).
// fromFile tells which; ok is false when neither is set or on error.
func (r *reader) pemSource(get securityGet, k storeKeys) (data []byte, key string, fromFile, ok bool) {
	setType := ""
	if k.typeKey != "" {
		setType = fmt.Sprintf(", and set %s=PEM", k.typeKey)
		if tk, typ, typed := get(k.typeKey); typed && !strings.EqualFold(typ, "PEM") {
			r.fail(tk, typ, fmt.Sprintf("is not read by Sluice, which reads PEM %ss only; %s%s", k.what, k.convert, setType))
			return nil, "", false, false
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
		r.fail(lk, loc, fmt.Sprintf("cannot be read (%v); set it to the %s file, in PEM", err, k.what))
		return nil, "", false, false
	}
	if !strings.Contains(string(b), "-----BEGIN ") {
		msg := fmt.Sprintf("is not a PEM file; Sluice reads PEM %ss only: %s%s", k.what, k.convert, setType)
		if k.typeKey != "" {
			if _, _, typed := get(k.typeKey); !typed {
				msg += fmt.Sprintf(" (%s is not set, and %s)", k.typeKey, k.note)
			}
		} else if k.note != "" {
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
	if encryptedKey(keyPEM) {
		r.fail(key, r.vals[key], "holds an encrypted private key, which Sluice does not read; decrypt it with `openssl pkcs8 -topk8 -nocrypt -in <key> -out <plain key>` and keep the file readable by Sluice only")
		return tls.Certificate{}, false
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		r.fail(key, r.vals[key], fmt.Sprintf("is not a PEM private key with its certificate chain (%v)", err))
		return tls.Certificate{}, false
	}
	return cert, true
}

func encryptedKey(data []byte) bool {
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || b.Headers["Proc-Type"] != "" {
			return true
		}
	}
	return false
}
