// Package javastore reads Java key stores (JKS and PKCS12) as PEM: Kafka's
// ssl.truststore/ssl.keystore (JKS by default), Debezium's database stores
// and the schema registry client's are Java stores, and a team moving from
// Kafka Connect has them, not PEM files. The PEM path then checks and
// loads them as it does PEM files.
package javastore

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/pavlo-v-chernykh/keystore-go/v4"
	"software.sslmate.com/src/go-pkcs12"
)

const (
	jksMagic   = 0xFEEDFEED
	jceksMagic = 0xCECECECE
)

// ErrNotPEM is Read's error for a store set to PEM whose file is not.
var ErrNotPEM = errors.New("is not a PEM file")

// CheckType returns a store type setting in upper case, or an error when
// it names a type Sluice does not read; "" stays "" (go by the content).
func CheckType(typ string) (string, error) {
	switch typ = strings.ToUpper(strings.TrimSpace(typ)); typ {
	case "", "PEM", "JKS", "PKCS12":
		return typ, nil
	}
	return "", fmt.Errorf("store type %q is not one Sluice reads; use PEM, JKS or PKCS12", typ)
}

// Read returns a store file's content as PEM: a PEM file as it is, a JKS
// or PKCS12 store through PEM. typ is the store type setting (see
// CheckType); unset, the content decides.
func Read(data []byte, typ, password, keyPassword string, withKey bool) ([]byte, error) {
	typ, err := CheckType(typ)
	if err != nil {
		return nil, err
	}
	isPEM := bytes.Contains(data, []byte("-----BEGIN "))
	switch {
	case typ == "PEM" && !isPEM:
		return nil, ErrNotPEM
	case typ == "PEM" || typ == "" && isPEM:
		return data, nil
	}
	return PEM(data, typ, password, keyPassword, withKey)
}

// Type names a non-PEM store's format from its content: "JKS",
// "JCEKS", or "PKCS12" (a DER sequence).
func Type(data []byte) string {
	if len(data) >= 4 {
		switch binary.BigEndian.Uint32(data) {
		case jksMagic:
			return "JKS"
		case jceksMagic:
			return "JCEKS"
		}
	}
	if len(data) > 0 && data[0] == 0x30 {
		return "PKCS12"
	}
	return ""
}

// PEM reads a JKS or PKCS12 store (typ, or found from the
// content when typ is "") as PEM: every certificate, and with withKey
// the private key entry's key and chain. password opens the store;
// keyPassword the key (JKS; "" = the store's password). A JKS store read
// without a password is not checked for integrity, as Java does.
func PEM(data []byte, typ, password, keyPassword string, withKey bool) ([]byte, error) {
	if typ == "" {
		typ = Type(data)
	}
	switch strings.ToUpper(typ) {
	case "JKS":
		return jksPEM(data, password, keyPassword, withKey)
	case "PKCS12":
		return pkcs12PEM(data, password, withKey)
	case "JCEKS":
		return nil, errors.New("it is a JCEKS store, which Sluice does not read; convert it with `keytool -importkeystore -srcstoretype JCEKS -deststoretype PKCS12`")
	default:
		return nil, errors.New("it is neither PEM nor a JKS or PKCS12 store")
	}
}

func jksPEM(data []byte, password, keyPassword string, withKey bool) ([]byte, error) {
	ks := keystore.New(keystore.WithOrderedAliases())
	if err := ks.Load(bytes.NewReader(data), []byte(password)); err != nil {
		// The entries are read before the digest is checked; Java reads a
		// store without its password the same way, unchecked.
		if password != "" || !strings.Contains(err.Error(), "invalid digest") {
			return nil, fmt.Errorf("reading the JKS store: %w (check its password)", err)
		}
	}
	if keyPassword == "" {
		keyPassword = password
	}
	var out bytes.Buffer
	for _, alias := range ks.Aliases() {
		switch {
		case withKey && ks.IsPrivateKeyEntry(alias):
			// The first key entry is the client's, as Java's default key
			// manager takes one: its key and chain alone.
			e, err := ks.GetPrivateKeyEntry(alias, []byte(keyPassword))
			if err != nil {
				return nil, fmt.Errorf("the key of entry %q: %w (check the key password)", alias, err)
			}
			_ = pem.Encode(&out, &pem.Block{Type: "PRIVATE KEY", Bytes: e.PrivateKey})
			for _, c := range e.CertificateChain {
				writeCert(&out, c.Content)
			}
			return out.Bytes(), nil
		case withKey:
		case ks.IsTrustedCertificateEntry(alias):
			e, err := ks.GetTrustedCertificateEntry(alias)
			if err != nil {
				return nil, fmt.Errorf("entry %q: %w", alias, err)
			}
			writeCert(&out, e.Certificate.Content)
		case ks.IsPrivateKeyEntry(alias):
			// Java trusts a key entry's own certificate too.
			chain, err := ks.GetPrivateKeyEntryCertificateChain(alias)
			if err != nil {
				return nil, fmt.Errorf("entry %q: %w", alias, err)
			}
			if len(chain) > 0 {
				writeCert(&out, chain[0].Content)
			}
		}
	}
	if withKey {
		return nil, errors.New("the JKS store holds no private key entry")
	}
	return out.Bytes(), nil
}

func pkcs12PEM(data []byte, password string, withKey bool) ([]byte, error) {
	var out bytes.Buffer
	if !withKey {
		certs, err := pkcs12.DecodeTrustStore(data, password)
		if err != nil {
			// A store of a key entry (a key store used as trust store).
			_, leaf, cas, err2 := pkcs12.DecodeChain(data, password)
			if err2 != nil {
				return nil, fmt.Errorf("reading the PKCS12 store: %w (check its password)", err)
			}
			certs = append([]*x509.Certificate{leaf}, cas...)
		}
		for _, c := range certs {
			writeCert(&out, c.Raw)
		}
		return out.Bytes(), nil
	}
	key, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, fmt.Errorf("reading the PKCS12 store's key: %w (check its password)", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("the PKCS12 store's key: %w", err)
	}
	_ = pem.Encode(&out, &pem.Block{Type: "PRIVATE KEY", Bytes: der})
	writeCert(&out, leaf.Raw)
	for _, c := range cas {
		writeCert(&out, c.Raw)
	}
	return out.Bytes(), nil
}

func writeCert(out *bytes.Buffer, der []byte) {
	_ = pem.Encode(out, &pem.Block{Type: "CERTIFICATE", Bytes: der})
}
