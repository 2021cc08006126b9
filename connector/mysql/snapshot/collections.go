package snapshot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/sluice-cdc/sluice/connector/mysql/server"
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

// capturedTables lists the captured base tables, as "db.table".
func (i *Incremental) capturedTables(ctx context.Context) ([]string, error) {
	out, err := baseTables(ctx, &i.srv.Config, "TABLE_SCHEMA, TABLE_NAME", nil)
	if err != nil {
		return nil, fmt.Errorf("listing the tables a signal's data-collections may match: %w", err)
	}
	return out, nil
}

// baseTables lists the base tables cfg captures and keep (nil: all)
// accepts, as "db.table", ordered by orderBy over information_schema.TABLES.
func baseTables(ctx context.Context, cfg *server.Config, orderBy string, keep func(db, table string) bool) ([]string, error) {
	conn, err := cfg.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	r, err := conn.Execute("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' ORDER BY " + orderBy)
	if err != nil {
		return nil, err
	}
	var out []string
	for n := 0; n < r.RowNumber(); n++ {
		db, _ := r.GetString(n, 0)
		t, _ := r.GetString(n, 1)
		if cfg.Filter.TableIncluded(db, t) && (keep == nil || keep(db, t)) {
			out = append(out, db+"."+t)
		}
	}
	return out, nil
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
