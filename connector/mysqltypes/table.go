package mysqltypes

import (
	"fmt"
	"slices"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
)

// TableBuilder makes the change.Table of each table version the way
// Debezium's TableSchemaBuilder does: topic and schema names, the row and
// key schemas after the column rules, the envelope, and the converters.
// Its fields are one connector's settings; it is not changed after it is
// set up, and Build is safe for concurrent use.
type TableBuilder struct {
	Prefix string             // topic.prefix: a table's topic is <prefix>.<db>.<table>
	Naming config.TopicNaming // topic.delimiter and topic.naming.strategy
	Source *change.Schema     // the reader's source block schema, for the envelope
	Types  TypeOptions
	Log    *zap.Logger // where warn-mode conversion failures and dropped defaults are logged
}

// Build builds a table version from its columns and primary key (column
// indexes; nil when it has none). message.key.columns, when it names
// columns of the table, picks the key instead.
func (b TableBuilder) Build(db, name string, defs []ColumnDef, pk []int) (*change.Table, error) {
	base, physical, err := b.Naming.TableTopic(b.Prefix, db, name)
	if err != nil {
		return nil, fmt.Errorf("table %s.%s: %w", db, name, err)
	}
	tc, err := buildTableColumns(db, name, defs, pk, b.Types, b.Log)
	if err != nil {
		return nil, fmt.Errorf("table %s.%s: %w", db, name, err)
	}
	tbl := &change.Table{Topic: base, Database: db, Name: name, Key: tc.key, SourceSpec: b.Source, Columns: tc.cols, Fields: tc.fields}
	if b.Naming.Regex != nil && b.Naming.Regex.KeyField != "" {
		// The regex strategy's key field, a table without a key too
		// (Debezium's keySchemaAugment makes it a key).
		tc.keyFields = append(tc.keyFields, change.Field{Name: b.Naming.Regex.KeyField, Schema: &change.Schema{Type: change.String}})
		tbl.PhysicalID = physical
	}
	if len(tc.keyFields) > 0 {
		tbl.KeySchema = &change.Schema{Type: change.Struct, Name: base + ".Key", Fields: tc.keyFields}
	}
	tbl.RowSchema = &change.Schema{Type: change.Struct, Optional: true, Name: base + ".Value", Fields: tc.rowFields}
	tbl.Envelope = change.EnvelopeSchema(base, tbl.RowSchema, b.Source)
	return tbl, nil
}

// tableColumns are a table version's columns, value fields, key columns and
// key fields as Debezium's TableSchemaBuilder makes them.
type tableColumns struct {
	cols      []change.Column
	rowFields []change.Field
	fields    []int // columns in the row value; nil = all
	key       []int
	keyFields []change.Field
}

// buildTableColumns builds every column, applies the column mappers and
// picks the message key: message.key.columns when it names columns of the
// table, the primary key otherwise. Key fields carry no mapper parameters,
// as in Debezium.
func buildTableColumns(db, table string, defs []ColumnDef, pk []int, opt TypeOptions, log *zap.Logger) (tableColumns, error) {
	if !opt.Comments && slices.ContainsFunc(defs, func(d ColumnDef) bool { return d.Comment != nil }) {
		defs = slices.Clone(defs)
		for i := range defs {
			defs[i].Comment = nil // the fields get no doc, the parameters no comment
		}
	}
	tc := tableColumns{cols: make([]change.Column, len(defs)), rowFields: make([]change.Field, len(defs))}
	base := make([]*change.Schema, len(defs))
	mapped := make([]*mapperRule, len(defs))
	for i := range defs {
		b, err := buildTyped(defs[i], opt)
		if err != nil {
			return tc, err
		}
		if booleanFor(opt.Booleans, db, table, &defs[i]) {
			b = tinyIntBoolean(defs[i], b)
		}
		if c := defs[i].Comment; c != nil {
			s := *b.col.Schema // schemas may be shared: a copy per commented column
			s.Doc = *c
			b.col.Schema = &s
		}
		if b.defaultErr != nil && opt.ConvertFailure != config.FailureSkip {
			log.Warn("a column default cannot be converted; the schema has no default for it", zap.String("table", db+"."+table), zap.Error(b.defaultErr))
		}
		base[i] = b.col.Schema
		plain := b.col.Convert
		if m := opt.Columns.mapperFor(db, table, &defs[i], opt.MariaDBJSON); m != nil && applyMapper(&b, m, &defs[i], opt.MariaDBJSON) {
			mapped[i], b.col.KeyConvert = m, plain
			if b.col.KeyConvert == nil { // a Connect value already: keys take it as it is
				b.col.KeyConvert = func(v any) (any, error) { return v, nil }
			}
		}
		if defs[i].Nullable && opt.ConvertFailure != config.FailureFail {
			b.col.Convert = tolerant(b.col.Convert, db+"."+table, opt.ConvertFailure == config.FailureSkip, log)
			if b.col.KeyConvert != nil {
				b.col.KeyConvert = tolerant(b.col.KeyConvert, db+"."+table, opt.ConvertFailure == config.FailureSkip, log)
			}
		}
		tc.cols[i] = b.col
		tc.rowFields[i] = change.Field{Name: b.col.Name, Schema: b.col.Schema}
	}
	// column.include.list / exclude.list shape the row value only; key
	// columns stay in the key.
	kept := tc.rowFields[:0:0]
	for i := range defs {
		if opt.ColumnFilter.keeps(db, table, defs[i].Name) {
			kept = append(kept, tc.rowFields[i])
			tc.fields = append(tc.fields, i)
		}
	}
	if len(kept) < len(defs) {
		tc.rowFields = kept
	} else {
		tc.fields = nil
	}
	key, missing := opt.Columns.keyColumns(db, table, defs)
	if len(missing) > 0 {
		keyed := "the columns it names that the table has"
		if key == nil {
			keyed = "the primary key"
		}
		log.Warn("message.key.columns names columns this table does not have; the message key is "+keyed+" (check the column names, or the table pattern)",
			zap.String("table", db+"."+table), zap.Strings("columns", missing), zap.String("property", "message.key.columns"))
	}
	tc.key = key
	if tc.key == nil {
		tc.key = pk
	}
	for _, k := range tc.key {
		if m := mapped[k]; m != nil {
			// Debezium's key has no column mappers (Column.KeyConvert).
			log.Warn("a column mapper changes a key column's values in the row value; the message key keeps them as they are, as Debezium's does",
				zap.String("table", db+"."+table), zap.String("column", defs[k].Name), zap.String("property", m.prop))
		}
		tc.keyFields = append(tc.keyFields, change.Field{Name: defs[k].Name, Schema: base[k]})
	}
	return tc, nil
}

// tolerant makes a nullable column's conversion failure a null, as
// Debezium's event.converting.failure.handling.mode=warn (and skip) do.
func tolerant(conv func(any) (any, error), table string, quiet bool, log *zap.Logger) func(any) (any, error) {
	return func(v any) (any, error) {
		out, err := conv(v)
		if err != nil {
			if !quiet {
				log.Warn("a value cannot be converted and is written as null (event.converting.failure.handling.mode=warn)",
					zap.String("table", table), zap.Error(err))
			}
			return nil, nil
		}
		return out, nil
	}
}
