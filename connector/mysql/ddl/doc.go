// Package ddl is what Sluice knows of MySQL and MariaDB DDL: one parser for
// the statements a binlog's QUERY events carry (Parse, a Statement with the
// tables it touches), the schema model that applies them in binlog order
// to know every table's structure at the position being read (Model), and
// the order of schema history positions (PositionAtOrBefore).
//
// It reads statements and answers questions about structures; it talks to
// no server. The binlog reader (connector/mysql) parses each statement once
// and hands the Statement to the model.
package ddl
