// Package sidebyside holds the side-by-side conformance test: the real
// Debezium connectors (Kafka Connect standalone, started by
// deploy/local/connect.sh) and the sluice binary read the same MariaDB
// database with the same connector properties, and every topic they write is
// compared record by record. The package has no code outside its tests; it
// runs only with SLUICE_SIDEBYSIDE=1 (see sidebyside_test.go) because it
// needs Java and a warm Kafka Connect worker.
//
// Differences where Debezium is wrong and Sluice is right are listed, each
// with its reason, in allow.txt; any other difference fails the test.
//
// TestSwitchover (switchover_test.go) hands a connector over between the two
// in both directions, stopped inside a transaction and right after DDL, and
// checks the topics rebuilt per key against the tables.
package sidebyside
