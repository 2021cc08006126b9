package jsonconv

import (
	"strconv"

	"github.com/sluice-cdc/sluice/connector/change"
)

// appendSchema writes the JSON form of p's schema the way
// JsonConverter.asJsonSchema builds it: "type", then "items" (array), "keys"
// and "values" (map) or "fields" (struct), then "optional", "name",
// "version", "doc", "parameters" and "default" when set. A struct field's
// entry is the field schema's object with "field" added last.
func (c *Converter) appendSchema(b []byte, p *plan) ([]byte, error) {
	b, err := c.appendSchemaOpen(b, p)
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

// appendSchemaOpen writes the schema object without its closing brace.
func (c *Converter) appendSchemaOpen(b []byte, p *plan) ([]byte, error) {
	s := p.s
	var err error
	b = append(b, `{"type":`...)
	b = appendString(b, s.Type.String())
	switch p.kind {
	case kArray:
		b = append(b, `,"items":`...)
		if b, err = c.appendSchema(b, p.items); err != nil {
			return b, inPath(err, "[items]")
		}
	case kMap:
		b = append(b, `,"keys":`...)
		if b, err = c.appendSchema(b, p.keys); err != nil {
			return b, inPath(err, "[keys]")
		}
		b = append(b, `,"values":`...)
		if b, err = c.appendSchema(b, p.values); err != nil {
			return b, inPath(err, "[values]")
		}
	case kStruct:
		b = append(b, `,"fields":[`...)
		for i := range p.fields {
			f := &p.fields[i]
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = c.appendSchemaOpen(b, f.p); err != nil {
				return b, inPath(err, f.name)
			}
			b = append(b, `,"field":`...)
			b = appendString(b, f.name)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"optional":`...)
	b = strconv.AppendBool(b, s.Optional)
	if s.Name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, s.Name)
	}
	if s.Version != 0 {
		b = append(b, `,"version":`...)
		b = strconv.AppendInt(b, int64(s.Version), 10)
	}
	if s.Doc != "" {
		b = append(b, `,"doc":`...)
		b = appendString(b, s.Doc)
	}
	if len(s.Parameters) > 0 {
		b = append(b, `,"parameters":{`...)
		for i, prm := range uniqueParams(s.Parameters) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, prm.Key)
			b = append(b, ':')
			b = appendString(b, prm.Value)
		}
		b = append(b, '}')
	}
	// Connect cannot tell an explicit null default from none: neither is
	// written.
	if p.hasDefault {
		b = append(b, `,"default":`...)
		if b, err = c.appendValue(b, p, s.Default); err != nil {
			return b, err
		}
	}
	return b, nil
}

// uniqueParams applies a LinkedHashMap's put semantics to a parameter list:
// a repeated key keeps its first position and takes the last value. It only
// copies when there is a repeat.
func uniqueParams(ps []change.Param) []change.Param {
	dup := false
	for i := 1; i < len(ps) && !dup; i++ {
		for j := 0; j < i; j++ {
			if ps[i].Key == ps[j].Key {
				dup = true
				break
			}
		}
	}
	if !dup {
		return ps
	}
	out := make([]change.Param, 0, len(ps))
next:
	for _, p := range ps {
		for i := range out {
			if out[i].Key == p.Key {
				out[i].Value = p.Value
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}
