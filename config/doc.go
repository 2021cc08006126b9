// Package config loads and validates Sluice's two kinds of configuration:
//
//   - connector files, one per connector, in Kafka Connect's REST shape
//     ({"name":"inventory","config":{...}}) with Debezium's MySQL/MariaDB
//     property names, so an existing Debezium connector file can be pointed at
//     Sluice unchanged (LoadConnector, ParseConnector);
//   - the worker configuration (Kafka bootstrap servers, the offsets topic,
//     logging, the producer), from defaults, a Kafka Connect style
//     .properties file, SLUICE_* environment variables and command-line flags,
//     in increasing precedence (LoadWorker).
//
// Loading never stops at the first problem: every invalid or missing property
// becomes one *Error in an Errors value, so `sluice validate` can print them
// all, one per line. Properties Sluice does not know are not errors but
// Warnings, returned as values for the caller to print or log; properties that
// Debezium or Kafka Connect know and Sluice accepts without acting on them are
// kept silently in Raw.
//
// Values that may hold credentials (database.password, anything named like
// Debezium's password pattern) are held as Secret or inside Properties, whose
// fmt and JSON forms print "********", so a config struct can be logged
// without leaking them.
package config
