package server

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/internal/fault"
)

// noTLSOnServer is go-mysql's error when TLS is asked for and the server's
// handshake offers none.
const noTLSOnServer = "does not support TLS required by the client"

// WithTLS runs connect with the option that starts TLS, when
// database.ssl.mode asks for it. Under preferred a server that offers no
// TLS is connected to again, in plaintext, as Debezium does; under the
// other modes that is a definite error naming the setting.
func (c *Config) WithTLS(connect func(opts ...client.Option) (*client.Conn, error)) (*client.Conn, error) {
	if c.TLS == nil {
		return connect()
	}
	conn, err := connect(func(conn *client.Conn) error {
		conn.SetTLSConfig(c.TLS.Clone())
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), noTLSOnServer) {
		return conn, err
	}
	if c.TLSOptional {
		return connect()
	}
	return nil, fault.Definite(fmt.Errorf("connecting to %s: %w; database.ssl.mode=%s needs TLS, which this server does not offer: enable it on the server (ssl_cert, ssl_key) or set database.ssl.mode to a mode without TLS", c.Addr(), err, c.TLSMode))
}

// tlsProblem is what to check when a TLS handshake failed on the server's
// certificate, "" for other errors.
func tlsProblem(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownCA):
		return "check that database.ssl.truststore holds the CA certificate that signed the server's certificate"
	case errors.As(err, &badHost):
		return "the server's certificate does not name database.hostname: connect by a name it has, or check the chain only (verify_ca, or verify-ca for the MariaDB class)"
	case errors.As(err, &invalid):
		return "the server's certificate is not valid (expired, or not for a server); renew it on the server"
	case strings.Contains(err.Error(), "remote error: tls: "):
		// The server's TLS alert; Go has no exported type for it.
		return "the server refused the TLS handshake: a user that requires a client certificate (REQUIRE X509) needs database.ssl.keystore with a certificate the server's CA signed"
	}
	return ""
}
