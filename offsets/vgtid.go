package offsets

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// Vitess is a Vitess source position in Debezium's offset format: the
// value {"vgtid":"<VGTID JSON>"}, where the VGTID is a JSON string inside
// the value, written by Jackson from Debezium's Vgtid.ShardGtid list.
//
// A shard whose GTID is empty, or which carries table_p_ks, is still in
// VTGate's copy phase: a stream started from it copies (or goes on
// copying) the tables before streaming.
type Vitess struct {
	Shards []ShardGTID
	// Guards are Sluice's own (stored beside vgtid, which Debezium's
	// connector ignores): copy batches whose rows may be in Kafka beyond
	// the VGTID. A restart copies such a batch's range again at a newer
	// snapshot, and VTGate sends no delete for a row of it deleted in
	// between (its catch-up only covers keys up to the stored cursor), so
	// the restart first replays the shard's changes from the batch's
	// snapshot up to its cursor (connector/vitess).
	Guards []CopyGuard
}

// CopyGuard is a copy batch that may be partly in Kafka: the shard's VGTID
// entry at the batch's end (the GTID it was read at and Table's cursor
// after it).
type CopyGuard struct {
	Table string
	Shard ShardGTID
}

// ShardGTID is one shard's position. Field order and names follow
// Debezium's @JsonPropertyOrder: keyspace, shard, gtid, table_p_ks.
type ShardGTID struct {
	Keyspace string
	Shard    string
	GTID     string
	TablePKs []TableLastPK // copy progress; empty once the copy is done
}

// TableLastPK is VTGate's copy cursor for one table: the last primary key
// copied (nil when the table's copy has not started).
type TableLastPK struct {
	TableName string
	LastPK    *LastPK
}

// LastPK is the query result VTGate sends as a copy cursor, as Debezium's
// TablePrimaryKeys.LastPrimaryKey writes it: field types by their protobuf
// enum name, row lengths as strings and the row's values as one UTF-8
// string.
type LastPK struct {
	Fields []PKField
	Rows   []PKRow
}

// PKField is a column of a copy cursor.
type PKField struct {
	Name    string
	Type    string // querypb.Type name: "INT64", "VARCHAR", ...
	Charset int
	Flags   int
}

// PKRow is a copy cursor's row: the lengths of its values (-1 for NULL)
// and the values concatenated.
type PKRow struct {
	Lengths []string
	Values  string
}

// Copying reports whether a stream from this position still has table
// copying to do (Debezium's Vgtid.willTriggerVStreamCopy).
func (v Vitess) Copying() bool {
	if len(v.Guards) > 0 {
		return true
	}
	for _, s := range v.Shards {
		if s.GTID == "" || len(s.TablePKs) > 0 {
			return true
		}
	}
	return false
}

// SnapshotInProgress makes a stored position that is still copying resume
// the copy phase (connector.SnapshotProgress).
func (v Vitess) SnapshotInProgress() bool { return v.Copying() }

// OffsetValue encodes {"vgtid":"..."} as Kafka Connect stores Debezium's
// Vitess offset.
func (v Vitess) OffsetValue() ([]byte, error) {
	s := v.String()
	b := make([]byte, 0, len(s)+32)
	b = append(b, `{"vgtid":`...)
	b = appendJacksonString(b, s)
	if len(v.Guards) > 0 {
		b = append(b, `,"sluice_copy_guards":[`...)
		for i, g := range v.Guards {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"table":`...)
			b = appendJacksonString(b, g.Table)
			b = append(b, `,"vgtid":`...)
			b = appendJacksonString(b, Vitess{Shards: []ShardGTID{g.Shard}}.String())
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// String is the VGTID as Debezium writes it with Jackson's ObjectMapper
// (the writer-based generator: characters beyond the BMP stay raw). It is
// the offset's vgtid and the source block's vgtid.
func (v Vitess) String() string {
	b := make([]byte, 0, 96*len(v.Shards))
	b = append(b, '[')
	for i, s := range v.Shards {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"keyspace":`...)
		b = jstr(b, s.Keyspace)
		b = append(b, `,"shard":`...)
		b = jstr(b, s.Shard)
		b = append(b, `,"gtid":`...)
		b = jstr(b, s.GTID)
		b = append(b, `,"table_p_ks":[`...)
		for j, t := range s.TablePKs {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendTableLastPK(b, t)
		}
		b = append(b, "]}"...)
	}
	return string(append(b, ']'))
}

func jstr(b []byte, s string) []byte { return javafmt.AppendJSONString(b, s, false) }

func appendTableLastPK(b []byte, t TableLastPK) []byte {
	b = append(b, `{"table_name":`...)
	b = jstr(b, t.TableName)
	b = append(b, `,"lastpk":`...)
	if t.LastPK == nil {
		return append(b, "null}"...)
	}
	b = append(b, `{"fields":[`...)
	for i, f := range t.LastPK.Fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = jstr(b, f.Name)
		b = append(b, `,"type":`...)
		b = jstr(b, f.Type)
		b = append(b, `,"charset":`...)
		b = strconv.AppendInt(b, int64(f.Charset), 10)
		b = append(b, `,"flags":`...)
		b = strconv.AppendInt(b, int64(f.Flags), 10)
		b = append(b, '}')
	}
	b = append(b, `],"rows":[`...)
	for i, r := range t.LastPK.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"lengths":[`...)
		for j, l := range r.Lengths {
			if j > 0 {
				b = append(b, ',')
			}
			b = jstr(b, l)
		}
		b = append(b, `],"values":`...)
		b = jstr(b, r.Values)
		b = append(b, '}')
	}
	return append(b, "]}}"...)
}

// ParseVitess decodes a stored Vitess offset value {"vgtid":"..."}, as
// Debezium's Vitess connector or Sluice wrote it.
func ParseVitess(value []byte) (Vitess, error) {
	var raw struct {
		VGTID  *string `json:"vgtid"`
		Guards []struct {
			Table string `json:"table"`
			VGTID string `json:"vgtid"`
		} `json:"sluice_copy_guards"`
	}
	if err := json.Unmarshal(value, &raw); err != nil {
		return Vitess{}, fmt.Errorf("decoding Vitess offset %q: %w", value, err)
	}
	if raw.VGTID == nil {
		return Vitess{}, fmt.Errorf("Vitess offset %q has no vgtid", value)
	}
	v, err := ParseVGTID(*raw.VGTID)
	if err != nil {
		return Vitess{}, err
	}
	for _, g := range raw.Guards {
		sg, err := ParseVGTID(g.VGTID)
		if err != nil || len(sg.Shards) != 1 || g.Table == "" {
			return Vitess{}, fmt.Errorf("Vitess offset %q: a copy guard is not one shard's VGTID and a table", value)
		}
		v.Guards = append(v.Guards, CopyGuard{Table: g.Table, Shard: sg.Shards[0]})
	}
	return v, nil
}

// ParseVGTID decodes a VGTID in Debezium's JSON form (the offset's vgtid,
// or the vitess.vgtid property).
func ParseVGTID(s string) (Vitess, error) {
	var raw []struct {
		Keyspace string `json:"keyspace"`
		Shard    string `json:"shard"`
		GTID     string `json:"gtid"`
		TablePKs []struct {
			TableName string `json:"table_name"`
			LastPK    *struct {
				Fields []struct {
					Name    string `json:"name"`
					Type    string `json:"type"`
					Charset int    `json:"charset"`
					Flags   int    `json:"flags"`
				} `json:"fields"`
				Rows []struct {
					Lengths []string `json:"lengths"`
					Values  string   `json:"values"`
				} `json:"rows"`
			} `json:"lastpk"`
		} `json:"table_p_ks"`
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return Vitess{}, fmt.Errorf("decoding VGTID %q: %w", s, err)
	}
	if len(raw) == 0 {
		return Vitess{}, errors.New("the VGTID lists no shard")
	}
	v := Vitess{Shards: make([]ShardGTID, len(raw))}
	for i, r := range raw {
		if r.Keyspace == "" {
			return Vitess{}, fmt.Errorf("VGTID %q: shard %d has no keyspace", s, i)
		}
		sg := ShardGTID{Keyspace: r.Keyspace, Shard: r.Shard, GTID: r.GTID}
		for _, t := range r.TablePKs {
			tp := TableLastPK{TableName: t.TableName}
			if t.LastPK != nil {
				lp := &LastPK{}
				for _, f := range t.LastPK.Fields {
					lp.Fields = append(lp.Fields, PKField{Name: f.Name, Type: f.Type, Charset: f.Charset, Flags: f.Flags})
				}
				for _, r := range t.LastPK.Rows {
					lp.Rows = append(lp.Rows, PKRow{Lengths: r.Lengths, Values: r.Values})
				}
				tp.LastPK = lp
			}
			sg.TablePKs = append(sg.TablePKs, tp)
		}
		v.Shards[i] = sg
	}
	return v, nil
}
