package config

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// KafkaSecurity is how Sluice's Kafka clients encrypt and authenticate:
// Kafka's security.protocol with the ssl.* and sasl.* client settings it
// reads. One setting serves every client Sluice opens (the producer, the
// offset and schema history stores, the admin calls).
type KafkaSecurity struct {
	// Protocol is security.protocol: PLAINTEXT (default), SSL,
	// SASL_PLAINTEXT or SASL_SSL.
	Protocol string
	// TLS is the TLS configuration of SSL and SASL_SSL, nil otherwise.
	// Kept out of JSON: it holds functions and the key.
	TLS *tls.Config `json:"-"`
	// SASL is the mechanism and credentials of SASL_PLAINTEXT and
	// SASL_SSL, nil otherwise.
	SASL *SASLAuth
}

// SASLAuth is a SASL mechanism with the credentials from sasl.jaas.config.
type SASLAuth struct {
	// Mechanism is PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	Mechanism string
	Username  string
	Password  Secret
}

// Security protocols and SASL mechanisms Sluice speaks.
const (
	protoPlaintext     = "PLAINTEXT"
	protoSSL           = "SSL"
	protoSASLPlaintext = "SASL_PLAINTEXT"
	protoSASLSSL       = "SASL_SSL"
)

var saslModules = map[string]string{
	"PLAIN":         "org.apache.kafka.common.security.plain.PlainLoginModule",
	"SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
	"SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}

// appliedSecurity are the TLS and SASL settings Sluice reads; any other
// ssl.* or sasl.* setting draws a warning.
var appliedSecurity = []string{
	"security.protocol", "ssl.truststore.type", "ssl.truststore.location", "ssl.truststore.certificates",
	"ssl.truststore.password", "ssl.keystore.type", "ssl.keystore.location", "ssl.keystore.key",
	"ssl.keystore.certificate.chain", "ssl.keystore.password", "ssl.key.password",
	"ssl.endpoint.identification.algorithm", "ssl.protocol", "ssl.enabled.protocols",
	"sasl.mechanism", "sasl.jaas.config",
}

// securityGet returns the effective value of a security setting: the
// worker-level one, else the producer.* one (Kafka Connect gives its own
// clients the first and the connectors' producers the second; Sluice's
// clients share one connection setting, so the two must agree).
type securityGet func(setting string) (key, value string, ok bool)

func (r *reader) securityGetter() securityGet {
	failed := map[string]bool{}
	return func(setting string) (string, string, bool) {
		pk := ProducerPrefix + setting
		tv, tok := r.lookup(setting)
		pv, pok := r.lookup(pk)
		switch {
		case tok && pok && !sameSetting(setting, tv, pv):
			if failed[setting] {
				return setting, strings.TrimSpace(tv), true
			}
			failed[setting] = true
			r.fail(pk, pv, fmt.Sprintf("differs from %s; Sluice's Kafka clients (producer, offset and history stores) share one connection setting, so set %s only or make the two equal", setting, setting))
			return setting, strings.TrimSpace(tv), true
		case tok:
			return setting, strings.TrimSpace(tv), true
		case pok:
			return pk, strings.TrimSpace(pv), true
		}
		return setting, "", false
	}
}

// sameSetting compares two values of a setting; names (protocols,
// mechanisms, store types) compare without case, as Kafka reads them.
func sameSetting(setting, a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	switch setting {
	case "security.protocol", "sasl.mechanism", "ssl.truststore.type", "ssl.keystore.type", "ssl.endpoint.identification.algorithm":
		return strings.EqualFold(a, b)
	}
	return a == b
}

// kafkaSecurity reads security.protocol and the TLS and SASL settings it
// calls for into w.Kafka.
func (r *reader) kafkaSecurity(w *Worker) {
	get := r.securityGetter()
	key, proto, _ := get("security.protocol")
	w.Kafka.Protocol = strings.ToUpper(proto)
	if proto == "" {
		w.Kafka.Protocol = protoPlaintext
	}
	tlsOn, saslOn := false, false
	switch w.Kafka.Protocol {
	case protoPlaintext:
	case protoSSL:
		tlsOn = true
	case protoSASLPlaintext:
		saslOn = true
	case protoSASLSSL:
		tlsOn, saslOn = true, true
	default:
		r.fail(key, proto, "is not a Kafka security protocol; use PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL")
		return
	}
	if tlsOn {
		w.Kafka.TLS = r.tlsConfig(get)
	}
	if saslOn {
		w.Kafka.SASL = r.saslAuth(get, key)
	}
	for _, s := range appliedSecurity[1:] {
		k, _, ok := get(s)
		switch {
		case !ok:
		case strings.HasPrefix(s, "ssl.") && !tlsOn:
			r.warn(k, fmt.Sprintf("is ignored: security.protocol is %s, which does not use TLS", w.Kafka.Protocol))
		case strings.HasPrefix(s, "sasl.") && !saslOn:
			r.warn(k, fmt.Sprintf("is ignored: security.protocol is %s, which does not use SASL", w.Kafka.Protocol))
		}
	}
}

// The Kafka client's trust and key stores.
var (
	kafkaTrustStore = storeKeys{what: "truststore", typeKey: "ssl.truststore.type", locKey: "ssl.truststore.location",
		inlineKey: "ssl.truststore.certificates", convert: trustConvert, note: "Kafka's default is JKS",
		passKey: "ssl.truststore.password"}
	kafkaKeyStore = storeKeys{what: "keystore", typeKey: "ssl.keystore.type", locKey: "ssl.keystore.location",
		inlineKey: "ssl.keystore.key", chainKey: "ssl.keystore.certificate.chain", convert: keyConvert, note: "Kafka's default is JKS",
		passKey: "ssl.keystore.password", keyPass: "ssl.key.password"}
)

// tlsConfig builds the TLS configuration: PEM trust and key stores (files
// or inline), hostname verification unless
// ssl.endpoint.identification.algorithm is empty, TLS 1.2 and 1.3.
func (r *reader) tlsConfig(get securityGet) *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if k, v, ok := get("ssl.enabled.protocols"); ok {
		cfg.MinVersion = r.tlsMinVersion(k, v)
	}
	if k, v, ok := get("ssl.protocol"); ok && !slices.Contains([]string{"TLS", "TLSv1.2", "TLSv1.3"}, v) {
		r.fail(k, v, "is not a protocol Sluice speaks; use TLSv1.3 (Kafka's default), TLSv1.2 or TLS")
	}
	roots := r.trustStore(get, kafkaTrustStore)
	cfg.RootCAs = roots
	if cert, ok := r.keyStore(get, kafkaKeyStore); ok {
		cfg.Certificates = []tls.Certificate{cert}
	}
	k, alg, ok := get("ssl.endpoint.identification.algorithm")
	switch {
	case !ok || strings.EqualFold(alg, "https"):
	case alg == "":
		// Kafka's way to skip the hostname check: the chain is still
		// verified against the trust store.
		cfg.InsecureSkipVerify = true
		cfg.VerifyPeerCertificate = verifyChainOnly(roots)
	default:
		r.fail(k, alg, `is not an endpoint identification algorithm; use https (default: the broker's certificate must name its host) or an empty value (no hostname check)`)
	}
	return cfg
}

func (r *reader) tlsMinVersion(key, v string) uint16 {
	min := uint16(0)
	for p := range strings.SplitSeq(v, ",") {
		var ver uint16
		switch strings.TrimSpace(p) {
		case "TLSv1.2":
			ver = tls.VersionTLS12
		case "TLSv1.3":
			ver = tls.VersionTLS13
		case "":
			continue
		default:
			r.fail(key, v, fmt.Sprintf("enables %q, which Sluice does not speak; use TLSv1.2 and/or TLSv1.3", strings.TrimSpace(p)))
			return tls.VersionTLS12
		}
		if min == 0 || ver < min {
			min = ver
		}
	}
	if min == 0 {
		r.fail(key, v, "enables no protocol; use TLSv1.2,TLSv1.3 (Kafka's default)")
		return tls.VersionTLS12
	}
	return min
}

// verifyChainOnly verifies a peer's chain against roots (the system's when
// nil) without checking the host name.
func verifyChainOnly(roots *x509.CertPool) func([][]byte, [][]*x509.Certificate) error {
	return func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return fmt.Errorf("the broker sent no certificate")
		}
		certs := make([]*x509.Certificate, len(raw))
		for i, b := range raw {
			c, err := x509.ParseCertificate(b)
			if err != nil {
				return fmt.Errorf("the broker's certificate: %w", err)
			}
			certs[i] = c
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, c := range certs[1:] {
			opts.Intermediates.AddCert(c)
		}
		_, err := certs[0].Verify(opts)
		return err
	}
}

// jaasEntry is one login module entry of sasl.jaas.config:
// "<class> required key=value ...;".
var jaasEntry = regexp.MustCompile(`^\s*([A-Za-z_$][\w.$]*)\s+(required|requisite|sufficient|optional)((?:\s+[\w.\-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^\s";]+))*)\s*;\s*$`)
var jaasOption = regexp.MustCompile(`([\w.\-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s";]+)`)

// saslAuth reads sasl.mechanism and the username and password of
// sasl.jaas.config.
func (r *reader) saslAuth(get securityGet, protoKey string) *SASLAuth {
	mk, mech, ok := get("sasl.mechanism")
	mech = strings.ToUpper(mech)
	switch {
	case !ok:
		r.fail(mk, "", fmt.Sprintf("is required with %s=%s: Kafka's default, GSSAPI (Kerberos), is not supported by Sluice; set PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", protoKey, r.vals[protoKey]))
		return nil
	case saslModules[mech] == "":
		r.fail(mk, mech, "is not a SASL mechanism Sluice supports; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (GSSAPI and OAUTHBEARER are not supported)")
		return nil
	}
	module := saslModules[mech]
	jk, jaas, ok := get("sasl.jaas.config")
	if !ok || jaas == "" {
		r.fail(jk, "", fmt.Sprintf(`is required with sasl.mechanism=%s; set it to %s required username="<user>" password="<password>";`, mech, module))
		return nil
	}
	if strings.Contains(jaas, "${") {
		r.fail(jk, jaas, "uses a config provider (${...}) that config.providers does not define; define it (Kafka's file, directory or environment provider), write the values in, or set the whole entry in "+EnvName(strings.TrimPrefix(jk, ProducerPrefix)))
		return nil
	}
	m := jaasEntry.FindStringSubmatch(jaas)
	if m == nil {
		r.fail(jk, jaas, fmt.Sprintf(`is not one JAAS login module entry; write it as %s required username="<user>" password="<password>";`, module))
		return nil
	}
	if m[1] != module {
		r.fail(jk, jaas, fmt.Sprintf("names the login module %s, but sasl.mechanism=%s takes %s", m[1], mech, module))
		return nil
	}
	a := &SASLAuth{Mechanism: mech}
	for _, o := range jaasOption.FindAllStringSubmatch(m[3], -1) {
		v := o[2]
		if strings.HasPrefix(v, `"`) {
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(v[1 : len(v)-1])
		}
		switch o[1] {
		case "username":
			a.Username = v
		case "password":
			a.Password = Secret(v)
		}
	}
	if a.Username == "" || a.Password == "" {
		r.fail(jk, jaas, `has no username or no password; set both: username="<user>" password="<password>"`)
		return nil
	}
	return a
}
