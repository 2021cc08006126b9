package config

import (
	"crypto/tls"
	"fmt"
	"strings"
)

// DatabaseTLS is how a MySQL-family connector reaches its server:
// database.ssl.mode with Debezium's store settings (PEM files here).
type DatabaseTLS struct {
	// Mode is database.ssl.mode, given or defaulted: the MySQL class's
	// disabled, preferred (default), required, verify_ca or
	// verify_identity; the MariaDB class's disable (default), trust,
	// verify-ca or verify-full.
	Mode string
	// Config starts TLS on every connection; nil for no TLS. Kept out
	// of JSON (logged connectors): it holds functions and the key.
	Config *tls.Config `json:"-"`
	// Optional: a server that offers no TLS is connected to in plaintext
	// (preferred).
	Optional bool
}

type sslLevel int

const (
	sslOff        sslLevel = iota
	sslOptional            // TLS if the server has it, no verification
	sslEncrypt             // TLS, no verification
	sslVerifyCA            // TLS, the chain checked against the trust store
	sslVerifyHost          // and the host name too
)

// Each class's database.ssl.mode values, as Debezium 3.5 spells them.
var (
	mysqlSSLModes = map[string]sslLevel{"disabled": sslOff, "preferred": sslOptional, "required": sslEncrypt,
		"verify_ca": sslVerifyCA, "verify_identity": sslVerifyHost}
	mariadbSSLModes = map[string]sslLevel{"disable": sslOff, "trust": sslEncrypt, "verify-ca": sslVerifyCA, "verify-full": sslVerifyHost}
)

// The database's trust and key stores: Debezium takes Java key stores
// there; Sluice takes PEM files under the same names.
var (
	dbTrustStore = storeKeys{what: "truststore", locKey: "database.ssl.truststore", convert: trustConvert,
		note: "Debezium's stores are JKS or PKCS12", passKey: "database.ssl.truststore.password"}
	dbKeyStore = storeKeys{what: "keystore", locKey: "database.ssl.keystore", convert: keyConvert,
		note: "Debezium's stores are JKS or PKCS12", passKey: "database.ssl.keystore.password"}
)

// databaseTLS reads database.ssl.mode and the stores it uses.
func (r *reader) databaseTLS(c *Connector) {
	modes, def, order := mysqlSSLModes, "preferred", []string{"disabled", "preferred", "required", "verify_ca", "verify_identity"}
	if c.Flavor == FlavorMariaDB {
		modes, def, order = mariadbSSLModes, "disable", []string{"disable", "trust", "verify-ca", "verify-full"}
	}
	c.DatabaseTLS.Mode = r.enum("database.ssl.mode", enumRule{def: def, allowed: order})
	level := modes[c.DatabaseTLS.Mode]
	get := func(setting string) (string, string, bool) {
		v, ok := r.lookup(setting)
		return setting, strings.TrimSpace(v), ok
	}
	// A PEM store has no password; a Debezium file may still carry one.
	get("database.ssl.truststore.password")
	get("database.ssl.keystore.password")
	if level == sslOff {
		for _, k := range []string{"database.ssl.truststore", "database.ssl.keystore"} {
			if _, _, ok := get(k); ok {
				r.warn(k, fmt.Sprintf("is ignored: database.ssl.mode=%s connects without TLS", c.DatabaseTLS.Mode))
			}
		}
		return
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	switch level {
	case sslOptional, sslEncrypt:
		// Encrypted, the server's certificate unchecked, as Debezium's
		// modes of this level do.
		cfg.InsecureSkipVerify = true
		if _, _, ok := get("database.ssl.truststore"); ok {
			r.warn("database.ssl.truststore", fmt.Sprintf("is ignored: database.ssl.mode=%s does not check the server's certificate; use %s or %s to check it", c.DatabaseTLS.Mode, order[len(order)-2], order[len(order)-1]))
		}
	case sslVerifyCA:
		roots := r.trustStore(get, dbTrustStore)
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = verifyChainOnly(roots)
	case sslVerifyHost:
		cfg.RootCAs = r.trustStore(get, dbTrustStore)
		cfg.ServerName = c.Hostname
	}
	if cert, ok := r.keyStore(get, dbKeyStore); ok {
		cfg.Certificates = []tls.Certificate{cert}
	}
	c.DatabaseTLS.Config = cfg
	c.DatabaseTLS.Optional = level == sslOptional
}
