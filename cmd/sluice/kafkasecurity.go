package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/internal/kafkaacl"
)

// kafkaHint is what to check when the first Kafka call failed with err:
// the security settings for an authentication or certificate failure, else
// the addresses and the worker's rights.
func kafkaHint(s config.KafkaSecurity, err error) string {
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case kafkaacl.Refused(err):
		// The error names the grant; the rest of the offsets topic's
		// needs come with it.
		return "the worker's principal needs DESCRIBE, READ and WRITE on the offsets topic (and CREATE on it, or on the cluster, while it is missing)"
	case errors.Is(err, kerr.SaslAuthenticationFailed) && s.SASL != nil:
		return "check the username and password in sasl.jaas.config, and that the user exists for sasl.mechanism=" + s.SASL.Mechanism
	case errors.Is(err, kerr.IllegalSaslState), errors.Is(err, kerr.UnsupportedSaslMechanism):
		return fmt.Sprintf("check that bootstrap.servers names the brokers' listener for security.protocol=%s and that it takes the SASL mechanism set (sasl.mechanism)", s.Protocol)
	case errors.As(err, &unknownCA):
		return "check that ssl.truststore.location (or ssl.truststore.certificates) holds the CA certificate that signed the brokers' certificates"
	case errors.As(err, &badHost):
		return "the broker's certificate does not name the host in bootstrap.servers: use a name it has, or set ssl.endpoint.identification.algorithm to empty to skip the host check"
	case errors.As(err, &invalid):
		return "the broker's certificate is not valid (expired, or not for a server); renew it on the broker"
	case strings.Contains(err.Error(), "remote error: tls: "):
		// The broker's TLS alert; Go has no exported type for it.
		return "the broker refused the TLS handshake: a listener that requires a client certificate needs ssl.keystore.location (or ssl.keystore.key and ssl.keystore.certificate.chain) with a certificate its CA signed"
	}
	return fmt.Sprintf("check bootstrap.servers (--bootstrap-servers, SLUICE_BOOTSTRAP_SERVERS) names brokers that are up with a %s listener (security.protocol), and that the worker may describe and create topics", s.Protocol)
}

// securityOpts are the TLS dialer and SASL mechanism of the worker's
// security.protocol (none for PLAINTEXT). franz-go sets each dial's
// ServerName to the broker's host, which the certificate must name unless
// ssl.endpoint.identification.algorithm is empty.
func securityOpts(s config.KafkaSecurity) []kgo.Opt {
	var opts []kgo.Opt
	if s.TLS != nil {
		opts = append(opts, kgo.DialTLSConfig(s.TLS.Clone()))
	}
	if a := s.SASL; a != nil {
		switch a.Mechanism {
		case "PLAIN":
			opts = append(opts, kgo.SASL(plain.Auth{User: a.Username, Pass: a.Password.Reveal()}.AsMechanism()))
		case "SCRAM-SHA-256":
			opts = append(opts, kgo.SASL(scram.Auth{User: a.Username, Pass: a.Password.Reveal()}.AsSha256Mechanism()))
		case "SCRAM-SHA-512":
			opts = append(opts, kgo.SASL(scram.Auth{User: a.Username, Pass: a.Password.Reveal()}.AsSha512Mechanism()))
		}
	}
	return opts
}
