package snapshot

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"

	gmysql "github.com/go-mysql-org/go-mysql/mysql"
	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
	"github.com/sluice-cdc/sluice/internal/javaser"
	"github.com/sluice-cdc/sluice/offsets"
)

// A signal's data-collections are regular expressions, as Debezium reads
// them (AbstractIncrementalSnapshotChangeEventSource's expansion): each
// stands for the captured tables whose whole "db.table" name it matches,
// or for itself when it matches none.

// errBadPattern: a data-collection that is no regular expression.
var errBadPattern = errors.New("a data-collection is not a regular expression")

// plainName reports whether a data-collection has no regular expression
// syntax but dots, which match themselves too: it needs no table list.
func plainName(s string) bool { return !strings.ContainsAny(s, `\^$*+?()[]{}|`) }

// expandCollections expands names (trimmed, empty ones dropped) against
// the tables known() lists, which it asks for once, and only when a name
// is a pattern.
func expandCollections(names []string, known func() ([]string, error)) ([]string, error) {
	var out, tables []string
	listed := false
	for _, n := range names {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		if plainName(n) {
			out = append(out, n)
			continue
		}
		re, err := regexp.Compile(`^(?:` + n + `)$`)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", errBadPattern, n, err)
		}
		if !listed {
			if tables, err = known(); err != nil {
				return nil, err
			}
			listed = true
		}
		matched := false
		for _, t := range tables {
			if re.MatchString(t) {
				out, matched = append(out, t), true
			}
		}
		if !matched {
			out = append(out, n)
		}
	}
	return out, nil
}

// captureOrder orders "db.table" names as Debezium 3.5 reads and lists a
// snapshot's tables: in table.include.list's order where the filter knows
// it (server.CaptureOrderer), else sorted (Java's String order: by bytes,
// not information_schema's case-insensitive collation).
func captureOrder(f server.Filter, names []string) []string {
	if o, ok := f.(server.CaptureOrderer); ok {
		return o.CaptureOrder(names)
	}
	out := slices.Clone(names)
	slices.Sort(out)
	return out
}

// capturedTables lists the captured base tables, as "db.table".
func (i *Incremental) capturedTables(ctx context.Context) ([]string, error) {
	out, _, err := baseTables(ctx, &i.srv.Config, nil)
	if err != nil {
		return nil, fmt.Errorf("listing the tables a signal's data-collections may match: %w", err)
	}
	return out, nil
}

// baseTables lists the base tables cfg captures and keep (nil: all)
// accepts, as "db.table" by schema and name, with each one's estimated
// rows (information_schema's TABLE_ROWS, 0 when unknown).
func baseTables(ctx context.Context, cfg *server.Config, keep func(db, table string) bool) ([]string, map[string]int64, error) {
	conn, err := cfg.Connect(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	r, err := conn.Execute("SELECT TABLE_SCHEMA, TABLE_NAME, IFNULL(TABLE_ROWS, 0) FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_SCHEMA, TABLE_NAME")
	if err != nil {
		return nil, nil, err
	}
	var out []string
	rows := map[string]int64{}
	for n := 0; n < r.RowNumber(); n++ {
		db, _ := r.GetString(n, 0)
		t, _ := r.GetString(n, 1)
		if cfg.Filter.TableIncluded(db, t) && (keep == nil || keep(db, t)) {
			out = append(out, db+"."+t)
			rows[db+"."+t], _ = r.GetInt(n, 2)
		}
	}
	return out, rows, nil
}

// collectionFilter is one of a signal's additional-conditions.
type collectionFilter struct{ collection, filter string }

// conditionsFor gives each table the filter of the first condition whose
// data-collection names it or, as a regular expression, matches its whole
// name (Debezium's AdditionalCondition holds a pattern). Names are trimmed,
// as Debezium's ExecuteSnapshot trims them.
func conditionsFor(tables []string, filters []collectionFilter) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range filters {
		name := strings.TrimSpace(f.collection)
		var re *regexp.Regexp
		if !plainName(name) {
			var err error
			if re, err = regexp.Compile(`^(?:` + name + `)$`); err != nil {
				return nil, fmt.Errorf("%w: additional-conditions %q: %v", errBadPattern, name, err)
			}
		}
		for _, t := range tables {
			if _, done := out[t]; done {
				continue
			}
			if t == name || re != nil && re.MatchString(t) {
				out[t] = f.filter
			}
		}
	}
	return out, nil
}

// FromDebezium turns the on-demand snapshot progress Debezium keeps in its
// offsets into Sluice's (Incremental.Restore's): the tables left, with
// their additional conditions and surrogate keys, and the last key sent of
// the first, so that a switch from Debezium in the middle of an
// incremental snapshot goes on with it. A last key Sluice cannot read (a
// key of a class other than strings and integers) reads that table again
// from its first row, with a warning: its read events are then repeated.
func FromDebezium(dbz offsets.DebeziumIncremental, log *zap.Logger) (string, error) {
	var colls []struct {
		ID        string  `json:"incremental_snapshot_collections_id"`
		Condition *string `json:"incremental_snapshot_collections_additional_condition"`
		Surrogate *string `json:"incremental_snapshot_collections_surrogate_key"`
	}
	if err := json.Unmarshal([]byte(dbz.Collections), &colls); err != nil {
		return "", fault.Definite(fmt.Errorf("reading Debezium's incremental_snapshot_collections %q from the stored offset: %w", dbz.Collections, err))
	}
	st := incrState{ID: dbz.CorrelationID}
	for _, c := range colls {
		st.Tables = append(st.Tables, c.ID)
		if c.Condition != nil && *c.Condition != "" {
			if st.Conditions == nil {
				st.Conditions = map[string]string{}
			}
			st.Conditions[c.ID] = *c.Condition
		}
		if c.Surrogate != nil && *c.Surrogate != "" {
			if st.Surrogates == nil {
				st.Surrogates = map[string]string{}
			}
			st.Surrogates[c.ID] = *c.Surrogate
		}
	}
	if len(st.Tables) == 0 {
		return "", nil
	}
	if dbz.PrimaryKey != "" {
		key, err := javaser.ObjectArray(dbz.PrimaryKey)
		if err == nil {
			st.LastKey, err = keyLiterals(key)
		}
		if err != nil {
			log.Warn("Debezium's incremental snapshot left a last key Sluice cannot read; its current table is read again from its first row",
				zap.String("table", st.Tables[0]), zap.Error(err))
			st.LastKey = nil
		}
	}
	log.Info("taking over the incremental snapshot Debezium had under way", zap.Strings("tables", st.Tables), zap.Strings("last_key", st.LastKey))
	b, _ := json.Marshal(st)
	return string(b), nil
}

// keyLiterals renders decoded key values as the SQL literals of
// incrState.LastKey.
func keyLiterals(key []any) ([]string, error) {
	out := make([]string, len(key))
	for n, v := range key {
		switch x := v.(type) {
		case int64:
			out[n] = strconv.FormatInt(x, 10)
		case string:
			out[n] = "'" + gmysql.Escape(x) + "'"
		case *big.Int: // BIGINT UNSIGNED
			out[n] = x.String()
		case javaser.Decimal: // DECIMAL: an exact numeric literal
			out[n] = x.String()
		case []byte: // BINARY, VARBINARY
			out[n] = "X'" + hex.EncodeToString(x) + "'"
		case javaser.Date, javaser.DateTime, javaser.Duration: // DATE; DATETIME as a LocalDateTime; TIME
			out[n] = "'" + fmt.Sprint(x) + "'"
		default:
			return nil, fmt.Errorf("key value %#v", v)
		}
	}
	return out, nil
}
