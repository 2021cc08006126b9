package jsonconv

import (
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/converters/typeerr"
)

// appendMemoStruct writes v as appendFields does, copying from the memo
// each field whose value it holds.
func (c *Converter) appendMemoStruct(b []byte, p *plan, v *change.Value) ([]byte, error) {
	if v == nil {
		return c.appendFields(b, p, v, nil, nil)
	}
	if err := typeerr.CheckStruct(p.s, v.Schema); err != nil {
		return b, err
	}
	if len(v.Values) != len(p.fields) {
		return b, typeErr(p.s, "struct value has %d values for %d fields", len(v.Values), len(p.fields))
	}
	start := len(b)
	b, ok, err := p.memo.Append(append(b, '{'), v.Values, func(b []byte, i int, fv any) ([]byte, error) {
		f := &p.fields[i]
		b = append(b, f.key...)
		b, err := c.appendField(b, f, fv)
		if err != nil {
			return b, inPath(err, f.name)
		}
		return b, nil
	})
	if !ok {
		return c.appendFields(b[:start], p, v, nil, nil)
	}
	if err != nil {
		return b, err
	}
	return append(b, '}'), nil
}
