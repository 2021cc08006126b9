package smt

// debeziumTransforms are Debezium's transforms, keyed by the class name a
// connector file gives as transforms.<alias>.type. Each behaves as the one
// in Debezium 3.5.0.Final does (the golden files under
// testdata/golden-debezium come from running those classes).
var debeziumTransforms = map[string]Factory{
	"io.debezium.transforms.ExtractNewRecordState":                          newExtractNewRecordState,
	"io.debezium.transforms.ByLogicalTableRouter":                           newByLogicalTableRouter,
	"io.debezium.transforms.partitions.PartitionRouting":                    newPartitionRouting,
	"io.debezium.transforms.HeaderToValue":                                  newHeaderToValue,
	"io.debezium.transforms.ExtractChangedRecordState":                      newExtractChangedRecordState,
	"io.debezium.transforms.SchemaChangeEventFilter":                        newSchemaChangeEventFilter,
	"io.debezium.transforms.TimezoneConverter":                              newTimezoneConverter,
	"io.debezium.connector.mysql.transforms.ReadToInsertEvent":              newReadToInsertEvent,
	"io.debezium.connector.vitess.transforms.UseLocalVgtid":                 newUseLocalVgtid,
	"io.debezium.connector.vitess.transforms.RemoveField":                   newRemoveField,
	"io.debezium.connector.vitess.transforms.ReplaceFieldValue":             newReplaceFieldValue,
	"io.debezium.connector.vitess.transforms.FilterTransactionTopicRecords": newFilterTransactionTopicRecords,
	"io.debezium.transforms.outbox.EventRouter":                             newEventRouter,
}
