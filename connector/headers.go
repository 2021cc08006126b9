package connector

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/sluice-cdc/sluice/config"
	"github.com/sluice-cdc/sluice/connector/change"
)

// Debezium 3's context headers (extended.headers.enabled, on by default),
// in the order Debezium writes them, after any header of the event itself.
const (
	headerLogicalName   = "__debezium.context.connectorLogicalName"
	headerTaskID        = "__debezium.context.taskId"
	headerConnectorName = "__debezium.context.connectorName"
	headerRunID         = "__debezium.context.runId"
)

var headerString = &change.Schema{Type: change.String}

// contextHeaders are the headers every record of a task carries: the
// logical name (topic.prefix), the task, the connector type ("mariadb",
// "mysql", "vitess") and a run id new at each start (a UUIDv7, as Debezium
// makes it). nil when extended.headers.enabled is false.
func contextHeaders(c *config.Connector, taskID int) ([]change.Header, error) {
	enabled := true
	if v, ok := c.Raw["extended.headers.enabled"]; ok {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
		case "false":
			enabled = false
		default:
			return nil, fmt.Errorf("property \"extended.headers.enabled\": %q is not a boolean; use true (the default) or false", v)
		}
	}
	if !enabled {
		return nil, nil
	}
	runID, err := uuidV7(time.Now())
	if err != nil {
		return nil, fmt.Errorf("making the run id header: %w", err)
	}
	return []change.Header{
		{Key: headerLogicalName, Schema: headerString, Value: c.TopicPrefix},
		{Key: headerTaskID, Schema: headerString, Value: fmt.Sprint(taskID)},
		{Key: headerConnectorName, Schema: headerString, Value: string(c.Flavor)},
		{Key: headerRunID, Schema: headerString, Value: runID},
	}, nil
}

// uuidV7 is an RFC 9562 version 7 UUID: 48 bits of Unix milliseconds, then
// random bits.
func uuidV7(now time.Time) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[6:]); err != nil {
		return "", err
	}
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(now.UnixMilli()))
	copy(b[:6], ms[2:])
	b[6] = 0x70 | b[6]&0x0f // version 7
	b[8] = 0x80 | b[8]&0x3f // RFC 9562 variant
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// withHeaders appends the task's headers to each record, after the
// record's own. A record without headers of its own shares the task's
// slice, so the common case allocates nothing; transforms that edit
// headers copy them first (see smt.Transform).
func withHeaders(records []change.Record, task []change.Header) {
	if len(task) == 0 {
		return
	}
	for i := range records {
		r := &records[i]
		if r.NoTaskHeaders {
			continue
		}
		if len(r.Headers) == 0 {
			r.Headers = task
			continue
		}
		r.Headers = append(r.Headers[:len(r.Headers):len(r.Headers)], task...)
	}
}
