package snapshot

import (
	"fmt"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/connector/mysqltypes"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// rowValues turns a text-protocol row into the Go values go-mysql's binlog
// decoder gives for the same columns, so that the column converters built
// for streaming apply unchanged, boxed by bx (a range reader's own, from
// arrays shared by many rows). go-mysql has already parsed integers and
// floats; the rest is text for FromText.
func rowValues(bx *mysqltypes.Boxes, defs []mysqltypes.ColumnDef, row []gmysql.FieldValue) ([]any, error) {
	if len(row) != len(defs) {
		// A user's SELECT (snapshot.select.statement.overrides, a blocking
		// snapshot's filter) that leaves columns out or adds some.
		return nil, fault.Definite(fmt.Errorf("the SELECT returns %d columns and the table has %d; select every column, in the table's order (SELECT * ...)", len(row), len(defs)))
	}
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
