package change

// Envelope field indexes, in Debezium's order.
const (
	EnvBefore = iota
	EnvAfter
	EnvSource
	EnvTransaction
	EnvOp
	EnvTsMs
	EnvTsUs
	EnvTsNs
	envFields
)

// TransactionSchema is Debezium's transaction block (event.block).
var TransactionSchema = &Schema{Type: Struct, Optional: true, Name: "event.block", Version: 1, Fields: []Field{
	{Name: "id", Schema: &Schema{Type: String}},
	{Name: "total_order", Schema: &Schema{Type: Int64}},
	{Name: "data_collection_order", Schema: &Schema{Type: Int64}},
}}

var optionalInt64 = &Schema{Type: Int64, Optional: true}

// EnvelopeSchema is the value schema of a table's change events:
// "<base>.Envelope", version 2, with row and source schemas of the source.
func EnvelopeSchema(base string, row, source *Schema) *Schema {
	return &Schema{Type: Struct, Name: base + ".Envelope", Version: 2, Fields: []Field{
		{Name: "before", Schema: row},
		{Name: "after", Schema: row},
		{Name: "source", Schema: source},
		{Name: "transaction", Schema: TransactionSchema},
		{Name: "op", Schema: &Schema{Type: String}},
		{Name: "ts_ms", Schema: optionalInt64},
		{Name: "ts_us", Schema: optionalInt64},
		{Name: "ts_ns", Schema: optionalInt64},
	}}
}

// NewEnvelope returns an empty envelope value of schema s.
func NewEnvelope(s *Schema) *Value {
	return NewValue(s, envFields)
}
