package change

import (
	"fmt"
	"strings"
)

// ParseSkippedOperations reads Debezium's skipped.operations: a
// comma-separated list of c, u, d, t (and r, which streaming never emits),
// or "none", validated as Debezium's CommonConnectorConfig does. Debezium's
// default is "t".
func ParseSkippedOperations(s string) (map[Op]bool, error) {
	out := map[Op]bool{}
	parts := strings.Split(s, ",")
	// Java's String.split drops trailing empty strings.
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	none := false
	for _, part := range parts {
		switch p := strings.TrimSpace(part); p {
		case "c", "u", "d", "t", "r":
			out[Op(p[0])] = true
		case "none":
			none = true
		default:
			return nil, fmt.Errorf("%q is not an operation; use a comma-separated list of c, u, d, t, or none", p)
		}
	}
	if none && len(out) > 0 {
		return nil, fmt.Errorf("%q: 'none' cannot be combined with operations", s)
	}
	return out, nil
}
