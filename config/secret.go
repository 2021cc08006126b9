package config

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Masked is what a Secret, or a sensitive value inside Properties, prints as.
const Masked = "********"

// Secret is a credential. Every way a value is commonly turned into text —
// fmt with any verb (%v, %+v, %#v, %s, %q, %x, ...), String, GoString, JSON,
// encoding.TextMarshaler, slog — yields Masked, so a Secret inside a config
// struct never reaches a log. Reveal returns the real value; call it only
// where the credential is handed to the database driver.
type Secret string

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (Secret) String() string   { return Masked }
func (Secret) GoString() string { return Masked }

// Format implements fmt.Formatter so that no verb prints the value.
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Masked) }

// MarshalJSON implements json.Marshaler (used by zap.Any and encoding/json).
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Masked + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (Secret) MarshalText() ([]byte, error) { return []byte(Masked), nil }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(Masked) }

// sensitiveKey is Debezium's default password pattern
// (io.debezium.config.Configuration.PASSWORD_PATTERN): property names whose
// values Debezium masks in its logs.
var sensitiveKey = regexp.MustCompile(`(?i)^(?:.*secret|.*password|.*sasl\.jaas\.config|.*ssl\.keystore\.key|.*basic\.auth\.user\.info.*|.*registry\.auth\.client-secret.*|.*bearer\.auth\.token|.*credentials\.json|.*connectionstring|.*connection\.string)$`)

// IsSensitive reports whether a property's value is a credential that must not
// be printed (database.password, *.sasl.jaas.config,
// *.basic.auth.user.info, ...). It follows Debezium's password pattern.
func IsSensitive(key string) bool { return sensitiveKey.MatchString(key) }

// Properties is a set of raw property values keyed by name. It is an ordinary
// map for reading and ranging, but its fmt and JSON forms mask the values of
// sensitive keys (see IsSensitive), so a struct holding one can be logged.
type Properties map[string]string

// Redacted returns a copy with sensitive values replaced by Masked.
func (p Properties) Redacted() map[string]string {
	if p == nil {
		return nil
	}
	out := make(map[string]string, len(p))
	for k, v := range p {
		if IsSensitive(k) {
			v = Masked
		}
		out[k] = v
	}
	return out
}

// Keys returns the property names, sorted.
func (p Properties) Keys() []string { return slices.Sorted(maps.Keys(p)) }

// Format implements fmt.Formatter: map[k:v ...] in key order, sensitive
// values masked, for every verb.
func (p Properties) Format(f fmt.State, verb rune) {
	var b strings.Builder
	if verb == 'v' && f.Flag('#') {
		b.WriteString("config.Properties{")
		for i, k := range p.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q:%q", k, p.Redacted()[k])
		}
		b.WriteString("}")
	} else {
		b.WriteString("map[")
		r := p.Redacted()
		for i, k := range p.Keys() {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(k)
			b.WriteByte(':')
			b.WriteString(r[k])
		}
		b.WriteString("]")
	}
	_, _ = io.WriteString(f, b.String())
}

// MarshalJSON implements json.Marshaler with sensitive values masked.
func (p Properties) MarshalJSON() ([]byte, error) {
	if p == nil {
		return []byte("null"), nil
	}
	return json.Marshal(p.Redacted())
}

// LogValue implements slog.LogValuer with sensitive values masked.
func (p Properties) LogValue() slog.Value { return slog.AnyValue(p.Redacted()) }
