package mysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-mysql-org/go-mysql/client"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
)

// Problem is one finding of the preflight checks.
type Problem = config.Problem

// Preflight connects to the server and checks what streaming needs: the
// binary log in ROW format with full row images, GTIDs (or the file/position
// fallback), a replica id no other server uses, and the connector user's
// privileges. A connection failure is returned as the error.
func Preflight(ctx context.Context, cfg server.Config) ([]Problem, error) {
	conn, err := cfg.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	get := func(name string) (string, bool) {
		r, err := conn.Execute("SHOW GLOBAL VARIABLES LIKE '" + name + "'")
		if err != nil || r.RowNumber() == 0 {
			return "", false
		}
		v, _ := r.GetString(0, 1)
		return v, true
	}
	var probs []Problem
	add := func(setting, msg string, warn bool) {
		probs = append(probs, Problem{Setting: setting, Msg: msg, Warning: warn})
	}

	version, _ := get("version")
	isMaria := strings.Contains(strings.ToLower(version), "mariadb")
	// A mismatch works (the binlog is read as the server speaks it), but
	// events then carry the other connector's source block.
	if isMaria && cfg.Flavor != "mariadb" {
		add("connector.class", fmt.Sprintf("the server is MariaDB %s; Sluice reads it as MariaDB, but io.debezium.connector.mariadb.MariaDbConnector would also label the events as MariaDB's", version), true)
	} else if !isMaria && cfg.Flavor == "mariadb" {
		add("connector.class", fmt.Sprintf("the server is MySQL %s; Sluice reads it as MySQL, but io.debezium.connector.mysql.MySqlConnector would also label the events as MySQL's", version), true)
	}
	if v, _ := get("log_bin"); !strings.EqualFold(v, "ON") {
		add("log_bin", fmt.Sprintf("is %q; start the server with log_bin (e.g. log_bin=mysql-bin in my.cnf) so it writes a binary log", v), false)
	}
	if v, _ := get("binlog_format"); !strings.EqualFold(v, "ROW") {
		add("binlog_format", fmt.Sprintf("is %q; set binlog_format=ROW (SET GLOBAL binlog_format='ROW' and in my.cnf) so the binlog carries row changes", v), false)
	}
	if v, ok := get("binlog_row_image"); ok && !strings.EqualFold(v, "FULL") {
		add("binlog_row_image", fmt.Sprintf("is %q; set binlog_row_image=FULL (SET GLOBAL binlog_row_image='FULL' and in my.cnf) so updates and deletes carry whole rows", v), false)
	}
	if v, ok := get("binlog_row_metadata"); ok && !strings.EqualFold(v, "FULL") {
		add("binlog_row_metadata", fmt.Sprintf("is %q; set binlog_row_metadata=FULL so rows read after a later schema change are still decoded with the columns they were written with", v), true)
	}
	if !isMaria {
		if v, _ := get("gtid_mode"); !strings.EqualFold(v, "ON") {
			add("gtid_mode", fmt.Sprintf("is %q; streaming falls back to binlog file/position, which does not survive a failover; set gtid_mode=ON and enforce_gtid_consistency=ON", v), true)
		}
	}
	if v, _ := get("server_id"); v == fmt.Sprint(cfg.ServerID) {
		add("database.server.id", fmt.Sprintf("%d is the server's own server_id; choose a number no server or replica in the topology uses", cfg.ServerID), false)
	}
	probs = append(probs, checkGrants(conn, isMaria)...)
	return probs, nil
}

func checkGrants(conn *client.Conn, isMaria bool) []Problem {
	r, err := conn.Execute("SHOW GRANTS FOR CURRENT_USER()")
	if err != nil {
		return []Problem{{Setting: "privileges", Msg: fmt.Sprintf("cannot read the connector user's grants: %v", err), Warning: true}}
	}
	var all strings.Builder
	for i := 0; i < r.RowNumber(); i++ {
		g, _ := r.GetString(i, 0)
		// Only global grants (ON *.*) give replication rights.
		if strings.Contains(g, " ON *.* ") {
			all.WriteString(strings.ToUpper(g))
			all.WriteByte('\n')
		}
	}
	grants := all.String()
	has := func(p string) bool {
		return strings.Contains(grants, "ALL PRIVILEGES") || strings.Contains(grants, p)
	}
	var probs []Problem
	if !has("REPLICATION SLAVE") && !has("REPLICATION REPLICA") {
		probs = append(probs, Problem{Setting: "privileges", Msg: "the connector user lacks REPLICATION SLAVE; GRANT REPLICATION SLAVE ON *.* TO the user"})
	}
	client := "REPLICATION CLIENT"
	if isMaria {
		client = "BINLOG MONITOR"
	}
	if !has("REPLICATION CLIENT") && !has("BINLOG MONITOR") && !has("SUPER") {
		probs = append(probs, Problem{Setting: "privileges", Msg: fmt.Sprintf("the connector user lacks %s; GRANT %s ON *.* TO the user", client, client)})
	}
	if !has("SELECT") {
		probs = append(probs, Problem{Setting: "privileges", Msg: "the connector user lacks global SELECT, needed to read table definitions; GRANT SELECT ON *.* TO the user (or on the captured databases)", Warning: true})
	}
	return probs
}
