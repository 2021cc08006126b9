package sidebyside

import "testing"

func TestDDLSig(t *testing.T) {
	for in, want := range map[string]string{
		"CREATE TABLE `t_int` (id INT)":                        "CREATE TABLE t_int",
		"DROP TABLE IF EXISTS `db`.`t_drop`":                   "DROP TABLE t_drop",
		"SET character_set_server=utf8mb4, collation_server=x": "SET",
		"USE `db`":                               "USE",
		"ALTER TABLE t_ddl ADD COLUMN added INT": "ALTER TABLE t_ddl",
	} {
		if got := ddlSig(in); got != want {
			t.Errorf("ddlSig(%q) = %q, want %q", in, got, want)
		}
	}
}
