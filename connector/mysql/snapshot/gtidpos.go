package snapshot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/go-mysql-org/go-mysql/client"
	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"
)

// gtidPositions turns a MariaDB range's binlog position into its GTID set.
// BINLOG_GTID_POS reads the binlog file from its start up to the position
// (MariaDB 10.11 keeps no GTID index): 0.16 s of the server's CPU for a
// position 669 MB into a file, for every range. So the last answer is
// remembered: ranges with no write between them start at the same position,
// and a range later in the same file reads only the events since the last
// one (SHOW BINLOG EVENTS ... FROM), adding their GTIDs to the last answer.
type gtidPositions struct {
	mu    sync.Mutex
	file  string
	pos   uint64
	gtids string
	// noEvents is set once SHOW BINLOG EVENTS failed (a missing
	// privilege, say): every position is then asked of BINLOG_GTID_POS.
	noEvents bool
}

// gtidSource asks the server: full is BINLOG_GTID_POS; since reads the
// events of file from one position to another and returns the GTIDs they
// carry, in order, or ok false where it met one it cannot read.
type gtidSource struct {
	full  func(file string, pos uint64) (string, error)
	since func(file string, from, to uint64) (gtids []string, ok bool, err error)
}

// lookup returns the GTID position at file:pos.
func (g *gtidPositions) lookup(file string, pos uint64, src gtidSource, log *zap.Logger) (string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gtids != "" && g.file == file && g.pos == pos {
		return g.gtids, nil
	}
	// Reading the gap costs about what BINLOG_GTID_POS pays for the same
	// bytes, so it is worth it while the gap is under half the position.
	if g.gtids != "" && g.file == file && g.pos < pos && pos-g.pos < pos/2 && !g.noEvents {
		added, ok, err := src.since(file, g.pos, pos)
		switch {
		case err != nil:
			g.noEvents = true
			log.Warn("cannot read binlog events (SHOW BINLOG EVENTS needs BINLOG MONITOR); each snapshot range asks BINLOG_GTID_POS, which reads the binlog file from its start",
				zap.Error(err))
		case ok:
			if gtids, ok := advanceGTIDPos(g.gtids, added); ok {
				g.pos, g.gtids = pos, gtids
				return gtids, nil
			}
		}
	}
	gtids, err := src.full(file, pos)
	if err != nil {
		return "", err
	}
	g.file, g.pos, g.gtids = file, pos, gtids
	return gtids, nil
}

var gtidText = regexp.MustCompile(`^([0-9]+)-[0-9]+-[0-9]+$`)

// advanceGTIDPos is the GTID position base (BINLOG_GTID_POS's form: the last
// GTID of each domain, comma-separated) after the transactions of added:
// each replaces its domain's. ok is false for text that is not a GTID.
func advanceGTIDPos(base string, added []string) (string, bool) {
	var order []string
	last := map[string]string{}
	put := func(gtid string) bool {
		m := gtidText.FindStringSubmatch(gtid)
		if m == nil {
			return false
		}
		if _, seen := last[m[1]]; !seen {
			order = append(order, m[1])
		}
		last[m[1]] = gtid
		return true
	}
	for _, g := range strings.Split(base, ",") {
		if g = strings.TrimSpace(g); g != "" && !put(g) {
			return "", false
		}
	}
	for _, g := range added {
		if !put(g) {
			return "", false
		}
	}
	out := make([]string, len(order))
	for i, d := range order {
		out[i] = last[d]
	}
	return strings.Join(out, ","), true
}

// eventsPage is how many events one SHOW BINLOG EVENTS returns.
const eventsPage = 5000

// binlogGTIDsSince reads the events of file from position from to to and
// returns the GTIDs of the transactions among them. ok is false if to is not
// where an event ends, or a GTID event's text is not understood.
func binlogGTIDsSince(conn *client.Conn, file string, from, to uint64) ([]string, bool, error) {
	var gtids []string
	quoted := "'" + gmysql.Escape(file) + "'"
	for pos := from; pos < to; {
		r, err := conn.Execute(fmt.Sprintf("SHOW BINLOG EVENTS IN %s FROM %d LIMIT %d", quoted, pos, eventsPage))
		if err != nil {
			return nil, false, fmt.Errorf("reading binlog events of %s from %d: %w", file, pos, err)
		}
		if r.RowNumber() == 0 {
			return nil, false, nil
		}
		for i := 0; i < r.RowNumber() && pos < to; i++ {
			kind, _ := r.GetString(i, 2)
			end, _ := r.GetUint(i, 4)
			if end <= pos {
				return nil, false, nil
			}
			if kind == "Gtid" {
				info, _ := r.GetString(i, 5)
				g, ok := gtidOfEvent(info)
				if !ok {
					return nil, false, nil
				}
				gtids = append(gtids, g)
			}
			pos = end
		}
		if pos > to {
			return nil, false, nil
		}
	}
	return gtids, true, nil
}

// gtidOfEvent finds the GTID in a Gtid event's text: "BEGIN GTID 0-1-5",
// "GTID 0-1-6" (DDL), "BEGIN GTID 0-1-7 cid=12", "XA START ... GTID 0-1-8".
func gtidOfEvent(info string) (string, bool) {
	f := strings.Fields(info)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "GTID" && gtidText.MatchString(f[i+1]) {
			return f[i+1], true
		}
	}
	return "", false
}

// mariadbSnapshotGTIDs reads where conn's consistent snapshot (begun by the
// caller) stands in the binlog, as a GTID position.
func (s *Snapshotter) mariadbSnapshotGTIDs(conn *client.Conn) (string, error) {
	return snapshotGTIDs(conn, &s.positions, s.log)
}

// snapshotGTIDs is where conn's consistent snapshot stands in MariaDB's
// binlog (binlog_snapshot_file and _position, which MariaDB keeps
// consistent with the InnoDB snapshot), as a GTID position; g remembers the
// last answer.
func snapshotGTIDs(conn *client.Conn, g *gtidPositions, log *zap.Logger) (string, error) {
	r, err := conn.Execute("SHOW STATUS LIKE 'binlog_snapshot_%'")
	if err != nil {
		return "", fmt.Errorf("reading the snapshot's binlog position: %w", err)
	}
	var file string
	var pos uint64
	for i := 0; i < r.RowNumber(); i++ {
		k, _ := r.GetString(i, 0)
		v, _ := r.GetString(i, 1)
		switch strings.ToLower(k) {
		case "binlog_snapshot_file":
			file = v
		case "binlog_snapshot_position":
			pos, _ = strconv.ParseUint(v, 10, 64)
		}
	}
	return g.lookup(file, pos, gtidSource{
		full: func(file string, pos uint64) (string, error) {
			g, err := conn.Execute("SELECT BINLOG_GTID_POS(?, ?)", file, pos)
			if err != nil {
				return "", fmt.Errorf("turning the snapshot's binlog position %s:%d into GTIDs: %w", file, pos, err)
			}
			gtids, _ := g.GetString(0, 0)
			return gtids, nil
		},
		since: func(file string, from, to uint64) ([]string, bool, error) {
			return binlogGTIDsSince(conn, file, from, to)
		},
	}, log)
}
