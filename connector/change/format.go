package change

import (
	"fmt"
	"strings"
)

// Format prints a Connect value with its field names, leaving out null
// fields, for messages and tests: {name="id" position=1}.
func Format(v any) string {
	switch x := v.(type) {
	case *Value:
		if x == nil {
			return "nil"
		}
		var parts []string
		for i, f := range x.Schema.Fields {
			if x.Values[i] != nil {
				parts = append(parts, f.Name+"="+Format(x.Values[i]))
			}
		}
		return "{" + strings.Join(parts, " ") + "}"
	case []any:
		var parts []string
		for _, e := range x {
			parts = append(parts, Format(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}
