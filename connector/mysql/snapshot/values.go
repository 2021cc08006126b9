package snapshot

import (
	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
)

// rowValues turns a text-protocol row into the Go values go-mysql's binlog
// decoder gives for the same columns, so that the column converters built
// for streaming apply unchanged, boxed by bx (a range reader's own, from
// arrays shared by many rows). go-mysql has already parsed integers and
// floats; the rest is text for FromText.
func rowValues(bx *mysqltypes.Boxes, defs []mysqltypes.ColumnDef, row []gmysql.FieldValue) ([]any, error) {
	vals := bx.Row(len(row))
	for i := range row {
		fv := &row[i]
		switch fv.Type {
		case gmysql.FieldValueTypeNull:
		case gmysql.FieldValueTypeSigned:
			vals[i] = bx.Int(fv.AsInt64())
		case gmysql.FieldValueTypeUnsigned:
			vals[i] = bx.Uint(fv.AsUint64())
		case gmysql.FieldValueTypeFloat:
			vals[i] = bx.Float(mysqltypes.FromFloat(defs[i], fv.AsFloat64()))
		default:
			v, err := bx.FromText(defs[i], fv.AsString())
			if err != nil {
				return nil, err
			}
			vals[i] = v
		}
	}
	return vals, nil
}
