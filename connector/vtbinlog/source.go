// Package vtbinlog is the binlog dump through VTGate (Vitess v24 and
// later, vtgate --enable-binlog-dump): one shard's binlog, read from
// VTGate's MySQL port with COM_BINLOG_DUMP_GTID, which VTGate relays to a
// tablet of the shard and the tablet to its MySQL or MariaDB. The binlog
// is the MySQL family's, so the MySQL source (package mysql) does the rest
// as it does for a server: the records, offsets and schema history are
// the MySQL or MariaDB connector class's. This package adds the target,
// the dump client (dump.go) and the client-side resume MariaDB needs
// (resume.go), and refuses what cannot work through VTGate.
package vtbinlog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"github.com/go-mysql-org/go-mysql/replication"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
	"github.com/sluice-cdc/sluice/connector/mysql"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// PropTarget names the tablet whose binlog is read: keyspace:shard, with
// an optional @type (primary by default) and |cell-uid alias. A
// MySQL-family connector with it set reads through VTGate.
const PropTarget = "sluice.vitess.target"

// Target is a parsed PropTarget.
type Target struct {
	Keyspace, Shard, TabletType, Alias string
}

// ParseTarget reads keyspace:shard[@type][|alias].
func ParseTarget(v string) (Target, error) {
	var t Target
	rest := strings.TrimSpace(v)
	if i := strings.IndexByte(rest, '|'); i >= 0 {
		rest, t.Alias = rest[:i], rest[i+1:]
		if t.Alias == "" {
			return t, fmt.Errorf("property %q: %q has an empty tablet alias after '|' (e.g. zone1-100)", PropTarget, v)
		}
	}
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		rest, t.TabletType = rest[:i], strings.ToLower(rest[i+1:])
		if !slices.Contains([]string{"primary", "replica", "rdonly"}, t.TabletType) {
			return t, fmt.Errorf("property %q: %q has tablet type %q; use primary, replica or rdonly", PropTarget, v, t.TabletType)
		}
	}
	ks, shard, ok := strings.Cut(rest, ":")
	if !ok || ks == "" || shard == "" || strings.ContainsAny(shard, ":,") {
		return t, fmt.Errorf("property %q: %q is not keyspace:shard[@type] (e.g. commerce:-80@replica); the binlog dump reads one shard", PropTarget, v)
	}
	t.Keyspace, t.Shard = ks, shard
	return t, nil
}

// String is the target as VTGate reads it.
func (t Target) String() string {
	s := t.Keyspace + ":" + t.Shard
	if t.TabletType != "" {
		s += "@" + t.TabletType
	}
	if t.Alias != "" {
		s += "|" + t.Alias
	}
	return s
}

// Source reads one shard's binlog through VTGate: the MySQL source with a
// dumper that speaks to VTGate, and connections whose handshake names the
// target, so that every statement the source runs (the catalog, the
// schema history's structures, the preflight checks) goes to the same
// tablet's server. Calls follow connector.Source.
type Source struct {
	*mysql.Source
	target Target
	log    *zap.Logger
}

// New builds the source of a MySQL-family connector file with PropTarget
// set; it connects to nothing.
func New(c *config.Connector, w *config.Worker, kafka []kgo.Opt, log *zap.Logger) (*Source, error) {
	t, err := ParseTarget(c.Raw[PropTarget])
	if err != nil {
		return nil, err
	}
	if err := checkUnsupported(c); err != nil {
		return nil, err
	}
	m, err := mysql.New(c, w, kafka, log)
	if err != nil {
		return nil, err
	}
	srv := m.Server()
	srv.Database = t.String()
	keepAlive := 30 * time.Second
	if c.KeepAliveInterval > 0 {
		keepAlive = c.KeepAliveInterval
	}
	m.SetDumper(&dumper{srv: srv, target: t.String(), keepAlive: keepAlive})
	return &Source{Source: m, target: t, log: log}, nil
}

// checkUnsupported refuses the settings that cannot work through VTGate's
// binlog dump, naming the property and what to do instead.
func checkUnsupported(c *config.Connector) error {
	if c.SnapshotMode != config.SnapshotNever {
		return fmt.Errorf("property %q: %q is not available with %s: the binlog dump through VTGate reads the binlog only (the MySQL snapshot's consistent-snapshot reads and locks are not relayed to one tablet, and a MariaDB tablet can only be read from its oldest binlog); set snapshot.mode=never, or use io.debezium.connector.vitess.VitessConnector for a copy of the tables",
			"snapshot.mode", c.SnapshotMode, PropTarget)
	}
	if c.HeartbeatActionQuery != "" {
		return fmt.Errorf("property %q: not available with %s (a statement through VTGate is untested); remove it", "heartbeat.action.query", PropTarget)
	}
	if v := c.Raw["signal.data.collection"]; v != "" {
		return fmt.Errorf("property %q: on-demand snapshots are not available with %s (their reads and watermark writes are not tested through VTGate); remove it", "signal.data.collection", PropTarget)
	}
	for _, ch := range strings.Split(c.Raw["signal.enabled.channels"], ",") {
		if ch = strings.ToLower(strings.TrimSpace(ch)); ch != "" && ch != "source" {
			return fmt.Errorf("property %q: the %s channel is not available with %s (its snapshots are not tested through VTGate); keep only source", "signal.enabled.channels", ch, PropTarget)
		}
	}
	return nil
}

// Start starts the MySQL source, then refuses the MySQL class on a
// MariaDB tablet: Debezium's MySQL connector reads MariaDB by binlog file
// and position, which VTGate does not relay.
func (s *Source) Start(ctx context.Context, from change.Position) error {
	if err := s.Source.Start(ctx, from); err != nil {
		return err
	}
	if srv := s.Server(); srv.PrivateGTIDs() {
		return fault.Definite(errors.New(mysqlClassOnMariaDB(s.target)))
	}
	return nil
}

func mysqlClassOnMariaDB(t Target) string {
	return fmt.Sprintf("the tablet of %s runs MariaDB and connector.class is the MySQL connector's, whose offsets on MariaDB are binlog file positions; VTGate's binlog dump takes GTIDs only: use %s", t, config.MariaDBConnectorClass)
}

// Snapshot is refused (New already refuses every snapshot.mode that would
// call it).
func (s *Source) Snapshot(context.Context, change.Position, bool, change.Enqueuer) (change.Position, error) {
	return nil, fault.Definite(fmt.Errorf("snapshots are not available through VTGate's binlog dump (%s); set snapshot.mode=never", PropTarget))
}

// Validate opens a dump first and reads its first event, which shows
// whether VTGate serves the target's keyspace, allows the dump
// (--enable-binlog-dump, --binlog-dump-authorized-users) and has a
// tablet for it; then runs the MySQL source's checks on that tablet's
// server.
func (s *Source) Validate(ctx context.Context) ([]config.Problem, error) {
	srv := s.Server()
	d := &dumper{srv: srv, target: s.target.String()}
	conn, err := d.connect(ctx)
	if err != nil {
		return []config.Problem{{Setting: PropTarget, Msg: err.Error()}}, nil
	}
	conn.Close()
	if err := srv.Detect(ctx); err != nil {
		return nil, err
	}
	gs, err := gmysql.ParseGTIDSet(srv.Proto(), "")
	if err != nil {
		return nil, err
	}
	p := replication.NewBinlogParser()
	p.SetFlavor(srv.Proto())
	r, err := d.Dump(ctx, gs, p)
	if err != nil {
		return []config.Problem{{Setting: PropTarget, Msg: err.Error()}}, nil
	}
	r.Close()
	all, err := s.Source.Validate(ctx)
	if err != nil {
		return all, err
	}
	// The tablet reads its server's binlog as its own user: the connector
	// user's replication grants there do not matter. VTGate's own check
	// (--binlog-dump-authorized-users) is what the dump above met.
	var probs []config.Problem
	for _, p := range all {
		if p.Setting != "privileges" {
			probs = append(probs, p)
		}
	}
	if srv.PrivateGTIDs() {
		probs = append(probs, config.Problem{Setting: "connector.class", Msg: mysqlClassOnMariaDB(s.target)})
	}
	return probs, nil
}
