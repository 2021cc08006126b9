package main

import (
	"fmt"
	"strings"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/mysql"
)

// Debezium properties about DDL and skipped operations that the config
// package keeps in Connector.Raw, with Debezium's defaults.
const (
	propSkippedOperations     = "skipped.operations"                                        // default "t"
	propSkipUnparseableDDL    = "schema.history.internal.skip.unparseable.ddl"              // default false
	propStoreOnlyCapturedTbls = "schema.history.internal.store.only.captured.tables.ddl"    // default false
	propStoreOnlyCapturedDBs  = "schema.history.internal.store.only.captured.databases.ddl" // default false
	defaultSkippedOperations  = "t"
)

// applyDDLConfig sets the streamer's DDL settings from the connector file,
// or says which property is wrong. checkSupported calls it first, so
// streamerConfig can rely on it succeeding.
func applyDDLConfig(cfg *mysql.Config, c *config.Connector) error {
	skipped := defaultSkippedOperations
	if v, ok := c.Raw[propSkippedOperations]; ok {
		skipped = v
	}
	ops, err := mysql.ParseSkippedOperations(skipped)
	if err != nil {
		return fmt.Errorf("property %q: %w", propSkippedOperations, err)
	}
	cfg.SkippedOperations = ops
	cfg.IncludeSchemaChanges = c.IncludeSchemaChanges
	for _, b := range []struct {
		prop string
		dst  *bool
	}{
		{propSkipUnparseableDDL, &cfg.SkipUnparseableDDL},
		{propStoreOnlyCapturedTbls, &cfg.StoreOnlyCapturedTablesDDL},
		{propStoreOnlyCapturedDBs, &cfg.StoreOnlyCapturedDatabasesDDL},
	} {
		*b.dst = false
		v, ok := c.Raw[b.prop]
		if !ok {
			continue
		}
		// Kafka's ConfigDef: true or false, any case, surrounding blanks ignored.
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			*b.dst = true
		case "false":
		default:
			return fmt.Errorf("property %q: %q is not a boolean; use true or false", b.prop, v)
		}
	}
	return nil
}
