package vitess

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	binlogdatapb "vitess.io/vitess/go/vt/proto/binlogdata"
	querypb "vitess.io/vitess/go/vt/proto/query"
	topodatapb "vitess.io/vitess/go/vt/proto/topodata"
	vtgatepb "vitess.io/vitess/go/vt/proto/vtgate"
	vtgateservicepb "vitess.io/vitess/go/vt/proto/vtgateservice"

	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/offsets"
)

// client is a VTGate gRPC connection. It is safe for concurrent use: the
// per-shard readers share it.
type client struct {
	cfg  *Config
	conn *grpc.ClientConn
	api  vtgateservicepb.VitessClient
}

func dial(cfg *Config) (*client, error) {
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(cfg.MaxInbound)),
	}
	if cfg.Keepalive > 0 {
		opts = append(opts, grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: cfg.Keepalive, Timeout: cfg.Keepalive, PermitWithoutStream: true}))
	}
	conn, err := grpc.NewClient(cfg.Addr, opts...)
	if err != nil {
		return nil, fault.Definite(fmt.Errorf("VTGate address %s (database.hostname, database.port): %w", cfg.Addr, err))
	}
	return &client{cfg: cfg, conn: conn, api: vtgateservicepb.NewVitessClient(conn)}, nil
}

// callCtx adds static authentication (VTGate's grpc_auth_static reads the
// username and password metadata) and vitess.grpc.headers.
func (c *client) callCtx(ctx context.Context) context.Context {
	var kv []string
	if c.cfg.User != "" {
		kv = append(kv, "username", c.cfg.User, "password", c.cfg.Password)
	}
	for k, v := range c.cfg.Headers {
		kv = append(kv, k, v)
	}
	if len(kv) == 0 {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, kv...)
}

// query runs one statement through VTGate against the keyspace, with a
// deadline: a VTGate that accepts the connection and never answers must
// not hang the source.
func (c *client) query(ctx context.Context, sql string) (*querypb.QueryResult, error) {
	ctx, cancel := context.WithTimeout(c.callCtx(ctx), 30*time.Second)
	defer cancel()
	resp, err := c.api.Execute(ctx, &vtgatepb.ExecuteRequest{
		Session: &vtgatepb.Session{TargetString: c.cfg.Keyspace, Autocommit: true},
		Query:   &querypb.BoundQuery{Sql: sql},
	})
	if err != nil {
		return nil, classify(fmt.Errorf("asking VTGate %s %q: %w", c.cfg.Addr, sql, err), c.cfg)
	}
	if resp.Error != nil {
		return nil, fault.Definite(fmt.Errorf("VTGate %s refused %q: %s", c.cfg.Addr, sql, resp.Error.Message))
	}
	return resp.Result, nil
}

// shards lists the keyspace's shards (SHOW VITESS_SHARDS: "ks/-80").
func (c *client) shards(ctx context.Context) ([]string, error) {
	r, err := c.query(ctx, "SHOW VITESS_SHARDS")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, row := range r.Rows {
		vals := splitRow(row)
		if len(vals) == 0 {
			continue
		}
		ks, shard, ok := strings.Cut(vals[0], "/")
		if ok && ks == c.cfg.Keyspace {
			out = append(out, shard)
		}
	}
	if len(out) == 0 {
		return nil, fault.Definite(fmt.Errorf("VTGate %s serves no shard of keyspace %q (vitess.keyspace); check the name", c.cfg.Addr, c.cfg.Keyspace))
	}
	return out, nil
}

// tables lists the keyspace's tables.
func (c *client) tables(ctx context.Context) ([]string, error) {
	r, err := c.query(ctx, "SHOW TABLES")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, row := range r.Rows {
		if vals := splitRow(row); len(vals) > 0 {
			out = append(out, vals[0])
		}
	}
	return out, nil
}

func splitRow(r *querypb.Row) []string {
	out := make([]string, 0, len(r.Lengths))
	off := int64(0)
	for _, n := range r.Lengths {
		if n < 0 {
			out = append(out, "")
			continue
		}
		out = append(out, string(r.Values[off:off+n]))
		off += n
	}
	return out
}

// vstream opens a VStream from pos with the connector's filter and flags.
func (c *client) vstream(ctx context.Context, pos offsets.Vitess, filter *binlogdatapb.Filter, tablesToCopy []string) (vtgateservicepb.Vitess_VStreamClient, error) {
	vg := &binlogdatapb.VGtid{}
	for _, s := range pos.Shards {
		sg := &binlogdatapb.ShardGtid{Keyspace: s.Keyspace, Shard: s.Shard, Gtid: s.GTID}
		for _, t := range s.TablePKs {
			tp, err := tableLastPKProto(t)
			if err != nil {
				return nil, fault.Definite(fmt.Errorf("the stored VGTID's copy cursor for %s/%s: %w", s.Shard, t.TableName, err))
			}
			sg.TablePKs = append(sg.TablePKs, tp)
		}
		vg.ShardGtids = append(vg.ShardGtids, sg)
	}
	hb := uint32(c.cfg.Heartbeat / time.Second)
	if hb == 0 {
		hb = 10
	}
	req := &vtgatepb.VStreamRequest{
		TabletType: tabletType(c.cfg.TabletType),
		Vgtid:      vg,
		Filter:     filter,
		Flags: &vtgatepb.VStreamFlags{
			HeartbeatInterval: hb, StopOnReshard: c.cfg.StopOnReshard,
			ExcludeKeyspaceFromTableName: true, TablesToCopy: tablesToCopy,
			TransactionChunkSize: c.cfg.ChunkSize,
			// Per-shard readers end at a reshard's journal (handoff.go).
			IncludeReshardJournalEvents: len(c.cfg.Shards) > 0,
		},
	}
	st, err := c.api.VStream(c.callCtx(ctx), req)
	if err != nil {
		return nil, classify(fmt.Errorf("starting a VStream at %s: %w", c.cfg.Addr, err), c.cfg)
	}
	return st, nil
}

func tabletType(t string) topodatapb.TabletType {
	switch t {
	case "REPLICA":
		return topodatapb.TabletType_REPLICA
	case "RDONLY":
		return topodatapb.TabletType_RDONLY
	}
	return topodatapb.TabletType_PRIMARY
}

// tableLastPKProto turns a stored copy cursor back into VTGate's form.
func tableLastPKProto(t offsets.TableLastPK) (*binlogdatapb.TableLastPK, error) {
	tp := &binlogdatapb.TableLastPK{TableName: t.TableName}
	if t.LastPK == nil {
		return tp, nil
	}
	qr := &querypb.QueryResult{}
	for _, f := range t.LastPK.Fields {
		typ, ok := querypb.Type_value[f.Type]
		if !ok {
			return nil, fmt.Errorf("field %q has type %q, which is not a Vitess type", f.Name, f.Type)
		}
		qr.Fields = append(qr.Fields, &querypb.Field{Name: f.Name, Type: querypb.Type(typ), Charset: uint32(f.Charset), Flags: uint32(f.Flags)})
	}
	for _, r := range t.LastPK.Rows {
		row := &querypb.Row{Values: []byte(r.Values)}
		for _, l := range r.Lengths {
			var n int64
			if _, err := fmt.Sscan(l, &n); err != nil {
				return nil, fmt.Errorf("row length %q is not a number", l)
			}
			row.Lengths = append(row.Lengths, n)
		}
		qr.Rows = append(qr.Rows, row)
	}
	tp.Lastpk = qr
	return tp, nil
}

// vgtidFromProto is the position a VGTID event carries, in Debezium's
// form (row values as UTF-8 text, lengths as strings).
func vgtidFromProto(vg *binlogdatapb.VGtid) offsets.Vitess {
	var p offsets.Vitess
	for _, s := range vg.ShardGtids {
		sg := offsets.ShardGTID{Keyspace: s.Keyspace, Shard: s.Shard, GTID: s.Gtid}
		for _, t := range s.TablePKs {
			tl := offsets.TableLastPK{TableName: t.TableName}
			if t.Lastpk != nil {
				lp := &offsets.LastPK{}
				for _, f := range t.Lastpk.Fields {
					lp.Fields = append(lp.Fields, offsets.PKField{Name: f.Name, Type: f.Type.String(), Charset: int(f.Charset), Flags: int(f.Flags)})
				}
				for _, r := range t.Lastpk.Rows {
					row := offsets.PKRow{Values: string(r.Values)}
					for _, n := range r.Lengths {
						row.Lengths = append(row.Lengths, fmt.Sprint(n))
					}
					lp.Rows = append(lp.Rows, row)
				}
				tl.LastPK = lp
			}
			sg.TablePKs = append(sg.TablePKs, tl)
		}
		p.Shards = append(p.Shards, sg)
	}
	return p
}

// classify makes the errors retrying cannot fix definite, with what to do;
// everything else (EOF, Unavailable, a tablet change, a reparent) stays
// transient for the coordinator to retry with backoff.
func classify(err error, cfg *Config) error {
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	st, ok := status.FromError(errors.Unwrap(err))
	if !ok {
		st, _ = status.FromError(err)
	}
	msg := st.Message()
	switch {
	case st.Code() == codes.ResourceExhausted && strings.Contains(msg, "larger than max"):
		return fault.Definite(fmt.Errorf("%w; raise %s (now %d bytes)", err, propMaxInbound, cfg.MaxInbound))
	case st.Code() == codes.Unauthenticated || st.Code() == codes.PermissionDenied:
		return fault.Definite(fmt.Errorf("%w; check database.user and database.password against VTGate's static auth", err))
	case strings.Contains(msg, "Cannot replicate because the master purged") || strings.Contains(msg, "Could not find first log file") ||
		strings.Contains(msg, "could not find the requested binlog") || strings.Contains(strings.ToLower(msg), "purged required binary logs"):
		return fault.Definite(fmt.Errorf("%w: %w; the shards no longer have the stored VGTID's binlogs: delete the connector's offset to copy the tables again", fault.ErrPositionUnavailable, err))
	case st.Code() == codes.InvalidArgument || strings.Contains(msg, "is not present in the database") || strings.Contains(msg, "unknown keyspace"):
		return fault.Definite(fmt.Errorf("%w; check vitess.keyspace, vitess.shard and table.include.list", err))
	}
	return err
}
