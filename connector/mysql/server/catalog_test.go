package server

import "testing"

// A COLUMN_COMMENT in the form SHOW CREATE TABLE writes, which Debezium's
// DDL parser keeps.
func TestDDLComment(t *testing.T) {
	if got := ddlComment("it's a \\ line\nend"); got != `it''s a \\ line\nend` {
		t.Errorf("ddlComment = %q", got)
	}
}
