package registry

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/sluice-cdc/sluice/internal/javastore"
	"github.com/sluice-cdc/sluice/internal/pemkey"
)

// Property names of Confluent's schema registry client, as a converter
// receives them (key.converter. or value.converter. already removed).
const (
	PropURL               = "schema.registry.url"
	PropApicurioURL       = "apicurio.registry.url"
	PropBasicAuthSource   = "basic.auth.credentials.source"
	PropBasicAuthUserInfo = "basic.auth.user.info"
	PropBearerAuthSource  = "bearer.auth.credentials.source"
	PropBearerAuthToken   = "bearer.auth.token"
	PropTrustLocation     = "schema.registry.ssl.truststore.location"
	PropTrustType         = "schema.registry.ssl.truststore.type"
	PropTrustCertificates = "schema.registry.ssl.truststore.certificates"
	PropKeyLocation       = "schema.registry.ssl.keystore.location"
	PropKeyType           = "schema.registry.ssl.keystore.type"
	PropKeyCertChain      = "schema.registry.ssl.keystore.certificate.chain"
	PropKeyKey            = "schema.registry.ssl.keystore.key"
	PropTrustPassword     = "schema.registry.ssl.truststore.password"
	PropKeyPassword       = "schema.registry.ssl.keystore.password"
	PropKeyKeyPassword    = "schema.registry.ssl.key.password"
)

// FromProps reads the registry client settings Kafka Connect's Avro
// converters take. Errors name the property.
//
// TLS: the trust store is a JKS, PKCS12 or PEM file (by
// schema.registry.ssl.truststore.type, or unset by its content) or PEM
// certificates inline; a client certificate likewise (a Java store, a PEM
// file holding the certificate chain and the unencrypted private key, or
// both inline).
func FromProps(props map[string]string) (Config, error) {
	var cfg Config
	raw := strings.TrimSpace(props[PropURL])
	if raw == "" {
		raw = apicurioCompatURL(props[PropApicurioURL])
	}
	for _, u := range strings.Split(raw, ",") {
		if u = strings.TrimSpace(u); u != "" {
			cfg.URLs = append(cfg.URLs, u)
		}
	}
	if len(cfg.URLs) == 0 {
		return cfg, fmt.Errorf("%s is required: set it to the schema registry's URL (comma-separated for several)", PropURL)
	}
	if err := auth(props, &cfg); err != nil {
		return cfg, err
	}
	t, err := tlsConfig(props)
	if err != nil {
		return cfg, err
	}
	cfg.TLS = t
	return cfg, nil
}

// apicurioCompatURL turns Apicurio's native API URL (…/apis/registry/v2 or v3)
// into its Confluent-compatible one on the same server, which is the API
// this client speaks.
func apicurioCompatURL(raw string) string {
	var out []string
	for _, u := range strings.Split(raw, ",") {
		u = strings.TrimRight(strings.TrimSpace(u), "/")
		if i := strings.Index(u, "/apis/registry/"); i >= 0 {
			u = u[:i] + "/apis/ccompat/v7"
		}
		if u != "" {
			out = append(out, u)
		}
	}
	return strings.Join(out, ",")
}

func auth(props map[string]string, cfg *Config) error {
	switch src := strings.ToUpper(strings.TrimSpace(props[PropBasicAuthSource])); src {
	case "", "URL":
		// URL: New takes user:password from the URL itself.
	case "USER_INFO":
		info := props[PropBasicAuthUserInfo]
		if info == "" {
			info = props["schema.registry."+PropBasicAuthUserInfo]
		}
		user, pass, ok := strings.Cut(info, ":")
		if !ok || user == "" {
			return fmt.Errorf("%s must be user:password when %s is USER_INFO", PropBasicAuthUserInfo, PropBasicAuthSource)
		}
		cfg.User, cfg.Password = user, pass
	default:
		return fmt.Errorf("%s %q: Sluice supports USER_INFO and URL", PropBasicAuthSource, src)
	}
	switch src := strings.ToUpper(strings.TrimSpace(props[PropBearerAuthSource])); src {
	case "":
	case "STATIC_TOKEN":
		cfg.BearerToken = strings.TrimSpace(props[PropBearerAuthToken])
		if cfg.BearerToken == "" {
			return fmt.Errorf("%s is required when %s is STATIC_TOKEN", PropBearerAuthToken, PropBearerAuthSource)
		}
	default:
		return fmt.Errorf("%s %q: Sluice supports STATIC_TOKEN", PropBearerAuthSource, src)
	}
	return nil
}

func tlsConfig(props map[string]string) (*tls.Config, error) {
	trustLoc, trustPEM := props[PropTrustLocation], props[PropTrustCertificates]
	keyLoc, chain, key := props[PropKeyLocation], props[PropKeyCertChain], props[PropKeyKey]
	if trustLoc == "" && trustPEM == "" && keyLoc == "" && chain == "" {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if trustLoc != "" || trustPEM != "" {
		data := []byte(trustPEM)
		if trustLoc != "" {
			var err error
			if data, err = storeFile(PropTrustLocation, trustLoc, PropTrustType, props[PropTrustType], props[PropTrustPassword], "", false); err != nil {
				return nil, err
			}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(data) {
			return nil, fmt.Errorf("%s: no certificate found", PropTrustLocation)
		}
		cfg.RootCAs = pool
	}
	if keyLoc != "" || chain != "" {
		certPEM, keyPEM := []byte(chain), []byte(key)
		if keyLoc != "" {
			data, err := storeFile(PropKeyLocation, keyLoc, PropKeyType, props[PropKeyType], props[PropKeyPassword], props[PropKeyKeyPassword], true)
			if err != nil {
				return nil, err
			}
			certPEM, keyPEM = splitPEM(data)
		}
		if pemkey.Encrypted(keyPEM) {
			pass := props[PropKeyKeyPassword]
			if pass == "" {
				pass = props[PropKeyPassword]
			}
			var err error
			if keyPEM, err = pemkey.Decrypt(keyPEM, pass); err != nil {
				return nil, fmt.Errorf("%s: %w (the password is %s)", PropKeyLocation, err, PropKeyKeyPassword)
			}
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", PropKeyLocation, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// storeFile reads a trust or key store file as PEM (javastore.Read;
// Confluent's client defaults to JKS, so an unset type goes by the content).
func storeFile(locProp, loc, typeProp, typ, pass, keyPass string, withKey bool) ([]byte, error) {
	if _, err := javastore.CheckType(typ); err != nil {
		return nil, fmt.Errorf("%s: %w", typeProp, err)
	}
	data, err := os.ReadFile(loc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", locProp, err)
	}
	out, err := javastore.Read(data, typ, pass, keyPass, withKey)
	if errors.Is(err, javastore.ErrNotPEM) {
		return nil, fmt.Errorf("%s %s is not a PEM file, but %s is PEM; set %s to the store's type (JKS or PKCS12)", locProp, loc, typeProp, typeProp)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", locProp, loc, err)
	}
	return out, nil
}

// splitPEM separates the certificates of a PEM file from its private key.
func splitPEM(data []byte) (certs, key []byte) {
	for {
		var blk *pem.Block
		blk, data = pem.Decode(data)
		if blk == nil {
			return certs, key
		}
		if strings.Contains(blk.Type, "PRIVATE KEY") {
			key = append(key, pem.EncodeToMemory(blk)...)
		} else {
			certs = append(certs, pem.EncodeToMemory(blk)...)
		}
	}
}
