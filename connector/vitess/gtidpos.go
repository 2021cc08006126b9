package vitess

import (
	"fmt"
	"strings"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"

	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// shardGTID is the GTID p holds for shard ("" when p does not name it).
func shardGTID(p offsets.Vitess, shard string) string {
	for _, sg := range p.Shards {
		if sg.Shard == shard {
			return sg.GTID
		}
	}
	return ""
}

// gtidBeyond reports whether VTGate's shard position pos has a transaction
// that limit does not: pos comes after limit. Both are VTGate's
// "flavor/set" text (MariaDB/0-1-300, MySQL56/uuid:1-300). Its errors are
// definite: the same positions would fail the same way again.
func gtidBeyond(pos, limit string) (bool, error) {
	b, err := compareGTIDs(pos, limit)
	if err != nil {
		err = fault.Definite(fmt.Errorf("%w; VTGate's positions are expected as flavor/GTID set, MariaDB or MySQL56: please report the positions", err))
	}
	return b, err
}

func compareGTIDs(pos, limit string) (bool, error) {
	pf, ps, ok1 := strings.Cut(pos, "/")
	lf, ls, ok2 := strings.Cut(limit, "/")
	if !ok1 || !ok2 || pf != lf {
		return false, fmt.Errorf("comparing VTGate positions %q and %q: not of one GTID flavor", pos, limit)
	}
	var flavor string
	switch pf {
	case "MariaDB":
		flavor = gmysql.MariaDBFlavor
	case "MySQL56":
		flavor = gmysql.MySQLFlavor
	default:
		return false, fmt.Errorf("comparing VTGate positions %q and %q: flavor %s has no GTID sets to compare", pos, limit, pf)
	}
	p, err := gmysql.ParseGTIDSet(flavor, ps)
	if err != nil {
		return false, fmt.Errorf("parsing VTGate position %q: %w", pos, err)
	}
	l, err := gmysql.ParseGTIDSet(flavor, ls)
	if err != nil {
		return false, fmt.Errorf("parsing VTGate position %q: %w", limit, err)
	}
	return !l.Contain(p), nil
}
