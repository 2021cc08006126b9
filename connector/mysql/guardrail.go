package mysql

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"go.uber.org/zap"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/mysql/server"
	"github.com/sluice-cdc/sluice/internal/fault"
)

// Debezium 3.5's guardrail on the number of tables a connector loads the
// structure of (CommonConnectorConfig), kept in Connector.Raw.
const (
	propGuardrailMax    = "guardrail.collections.max"          // default 0: off
	propGuardrailAction = "guardrail.collections.limit.action" // warn (default) or fail
)

// guardrail is a connector's table limit; max 0 is none.
type guardrail struct {
	max  int
	fail bool
}

func readGuardrail(c *config.Connector) (guardrail, error) {
	var g guardrail
	if v := strings.TrimSpace(c.Raw[propGuardrailMax]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return g, fmt.Errorf("property %q: %q is not a number of tables; use 0 (no limit, the default) or more", propGuardrailMax, v)
		}
		g.max = n
	}
	switch v := strings.TrimSpace(c.Raw[propGuardrailAction]); strings.ToLower(v) {
	case "", "warn":
	case "fail":
		g.fail = true
	default:
		return g, fmt.Errorf("property %q: %q is not an action; use warn (the default) or fail", propGuardrailAction, v)
	}
	return g, nil
}

// checkGuardrail counts, as Debezium's GuardrailValidator does at each
// task start, the base tables whose structure the connector keeps (keeps:
// the schema history's rule, which schema.history.internal.store.only.
// captured.*.ddl narrows from every table outside the system databases).
// Over the limit, fail stops the connector and warn logs.
func checkGuardrail(ctx context.Context, cfg *server.Config, g guardrail, keeps func(db, table string) bool, log *zap.Logger) error {
	if g.max <= 0 {
		return nil
	}
	conn, err := cfg.Connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	r, err := conn.Execute("SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'")
	if err != nil {
		return server.Classify(fmt.Errorf("listing the tables for %s: %w", propGuardrailMax, err))
	}
	n := 0
	for i := 0; i < r.RowNumber(); i++ {
		db, _ := r.GetString(i, 0)
		t, _ := r.GetString(i, 1)
		if keeps(db, t) {
			n++
		}
	}
	if n <= g.max {
		log.Info("guardrail passed", zap.Int("tables", n), zap.Int(propGuardrailMax, g.max))
		return nil
	}
	msg := fmt.Sprintf("guardrail limit exceeded: %d tables configured for capture, but %s is %d", n, propGuardrailMax, g.max)
	if !cfg.StoreOnlyCapturedTablesDDL {
		msg += "; with schema.history.internal.store.only.captured.tables.ddl=false (the default) the schema history keeps every table's structure, so every table counts: raise the limit, or set that property (or ...databases.ddl) to true, after which tables added to the include lists later need a schema history recovery"
	}
	if g.fail {
		return fault.Definite(fmt.Errorf("%s (%s=fail)", msg, propGuardrailAction))
	}
	log.Warn(msg)
	return nil
}
