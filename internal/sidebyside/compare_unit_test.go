package sidebyside

import "testing"

// Kafka's own murmur2 vectors (clients' UtilsTest.testMurmur2): the
// partition check is only as good as this hash.
func TestMurmur2(t *testing.T) {
	for in, want := range map[string]int32{
		"21":                         -973932308,
		"foobar":                     -790332482,
		"a-little-bit-long-string":   -985981536,
		"a-little-bit-longer-string": -1486304829,
		"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
		"abc": 479470107,
	} {
		if got := murmur2([]byte(in)); got != want {
			t.Errorf("murmur2(%q) = %d, want %d", in, got, want)
		}
	}
}

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
