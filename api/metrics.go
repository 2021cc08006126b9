package api

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sluice-cdc/sluice/connector"
)

// metric is one family of the exposition: its samples are written per
// connector by sample.
type metric struct {
	name, typ, help string
	sample          func(c *Connector) int64
}

// families are the per-connector metrics, each with the Debezium JMX
// attribute it stands for where there is one (README: REST API and metrics).
var families = []metric{
	{"sluice_records_produced_total", "counter", "Records Kafka acknowledged (Kafka Connect's source-record-write-total).",
		func(c *Connector) int64 { return c.Counters.Produced.Load() }},
	{"sluice_record_produce_errors_total", "counter", "Records Kafka answered with an error.",
		func(c *Connector) int64 { return c.Counters.ProduceErrors.Load() }},
	{"sluice_offset_commits_total", "counter", "Offsets stored in the offsets topic.",
		func(c *Connector) int64 { return c.Counters.Commits.Load() }},
	{"sluice_offset_commit_errors_total", "counter", "Attempts to store an offset that failed.",
		func(c *Connector) int64 { return c.Counters.CommitErrors.Load() }},
	{"sluice_errors_retried_total", "counter", "Transient errors met and retried (a lost connection, a broker not answering).",
		func(c *Connector) int64 { return c.Counters.Retried.Load() }},
	{"sluice_records_tolerated_total", "counter", "Records errors.tolerance=all skipped (Kafka Connect's total-records-skipped).",
		func(c *Connector) int64 { return c.Counters.Tolerated.Load() }},
	{"sluice_queue_events", "gauge", "Events in the queue at the last poll (Debezium's QueueTotalCapacity less QueueRemainingCapacity).",
		func(c *Connector) int64 { return c.Counters.QueueEvents.Load() }},
	{"sluice_queue_bytes", "gauge", "Bytes in the queue at the last poll (Debezium's CurrentQueueSizeInBytes).",
		func(c *Connector) int64 { return c.Counters.QueueBytes.Load() }},
	{"sluice_queue_capacity_events", "gauge", "max.queue.size (Debezium's QueueTotalCapacity).",
		func(c *Connector) int64 { return int64(c.QueueCapacity) }},
	{"sluice_transactions_total", "counter", "Source transactions the poller took (Debezium's NumberOfCommittedTransactions).",
		func(c *Connector) int64 { return c.Counters.Transactions.Load() }},
	{"sluice_milliseconds_since_last_event", "gauge", "Since the poller took the last transaction end; -1 before the first (Debezium's MilliSecondsSinceLastEvent).",
		func(c *Connector) int64 {
			if at := c.Counters.LastTxnMs.Load(); at > 0 {
				return time.Now().UnixMilli() - at
			}
			return -1
		}},
	{"sluice_snapshot_running", "gauge", "1 while a snapshot runs: snapshot.mode's, a blocking or an incremental one (Debezium's SnapshotRunning).",
		func(c *Connector) int64 { return c.Counters.SnapshotRunning.Load() }},
	{"sluice_snapshots_completed_total", "counter", "Snapshots that finished (Debezium's SnapshotCompleted).",
		func(c *Connector) int64 { return c.Counters.SnapshotsCompleted.Load() }},
	{"sluice_snapshots_aborted_total", "counter", "Snapshots that failed or were stopped (Debezium's SnapshotAborted).",
		func(c *Connector) int64 { return c.Counters.SnapshotsAborted.Load() }},
	{"sluice_snapshot_duration_seconds", "gauge", "How long the running snapshot has taken so far, or the last one took (Debezium's SnapshotDurationInSeconds).",
		func(c *Connector) int64 { return int64(c.Counters.SnapshotDuration(time.Now()).Seconds()) }},
	{"sluice_milliseconds_behind_source", "gauge", "At the last transaction end, how long after its commit on the source the poller took it (Debezium's MilliSecondsBehindSource).",
		func(c *Connector) int64 { return c.Counters.LagMs.Load() }},
}

// ops are the event counters by operation, Debezium's
// TotalNumberOf{Create,Update,Delete}EventsSeen and the snapshot's rows.
var ops = []struct {
	op    string
	count func(c *connector.Counters) int64
}{
	{"c", func(c *connector.Counters) int64 { return c.Creates.Load() }},
	{"u", func(c *connector.Counters) int64 { return c.Updates.Load() }},
	{"d", func(c *connector.Counters) int64 { return c.Deletes.Load() }},
	{"r", func(c *connector.Counters) int64 { return c.Reads.Load() }},
	{"t", func(c *connector.Counters) int64 { return c.Truncates.Load() }},
}

var states = []string{connector.StateRunning, connector.StatePaused, connector.StateFailed, connector.StateStopped, connector.StateRestarting}

// metrics writes Prometheus's text exposition format (version 0.0.4).
func (s *Server) metrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	b := bufio.NewWriter(w)
	defer b.Flush()
	s.writeMetrics(b)
}

func (s *Server) writeMetrics(b io.Writer) {
	header := func(name, typ, help string) {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	header("sluice_task_state", "gauge", "1 for the task's state (Kafka Connect's status API), 0 for the others.")
	for _, name := range s.names {
		c := s.connectors[name]
		for i, t := range c.Tasks {
			now := t.State()
			for _, st := range states {
				v := 0
				if st == now {
					v = 1
				}
				fmt.Fprintf(b, "sluice_task_state{connector=%s,task=\"%d\",state=%q} %d\n", label(name), i, st, v)
			}
		}
	}
	header("sluice_events_total", "counter", "Row events the poller took, by operation: c, u, d, r (snapshot reads), t.")
	for _, name := range s.names {
		for _, o := range ops {
			fmt.Fprintf(b, "sluice_events_total{connector=%s,op=%q} %d\n", label(name), o.op, o.count(s.connectors[name].Counters))
		}
	}
	for _, m := range families {
		header(m.name, m.typ, m.help)
		for _, name := range s.names {
			fmt.Fprintf(b, "%s{connector=%s} %d\n", m.name, label(name), m.sample(s.connectors[name]))
		}
	}
	s.writeObserved(b, header)
	writeProcess(b, header)
}

// writeObserved writes what the sources that observe themselves report.
func (s *Server) writeObserved(b io.Writer, header func(name, typ, help string)) {
	var observed []*Connector
	for _, name := range s.names {
		if c := s.connectors[name]; c.Observed {
			observed = append(observed, c)
		}
	}
	if len(observed) == 0 {
		return
	}
	for _, m := range []metric{
		{"sluice_connected", "gauge", "1 while the source's stream is connected, for Vitess while a reader's VStream is (Debezium's Connected).",
			func(c *Connector) int64 { return min(c.Counters.StreamConnected.Load(), 1) }},
		{"sluice_snapshot_tables", "gauge", "Tables of the last snapshot of rows (Debezium's TotalTableCount).",
			func(c *Connector) int64 { return c.Counters.SnapshotTablesTotal.Load() }},
		{"sluice_snapshot_tables_remaining", "gauge", "Tables of the last snapshot not read whole yet (Debezium's RemainingTableCount).",
			func(c *Connector) int64 {
				return c.Counters.SnapshotTablesTotal.Load() - c.Counters.SnapshotTablesDone.Load()
			}},
		{"sluice_snapshot_paused", "gauge", "1 while a pause-snapshot signal holds an incremental snapshot (Debezium's SnapshotPaused).",
			func(c *Connector) int64 { return c.Counters.SnapshotPausedNow.Load() }},
	} {
		header(m.name, m.typ, m.help)
		for _, c := range observed {
			fmt.Fprintf(b, "%s{connector=%s} %d\n", m.name, label(c.Name), m.sample(c))
		}
	}
	header("sluice_snapshot_rows_scanned", "gauge", "Rows of each table the last snapshot read so far (Debezium's RowsScanned).")
	for _, c := range observed {
		rows := c.Counters.RowsScanned()
		for _, table := range slices.Sorted(maps.Keys(rows)) {
			fmt.Fprintf(b, "sluice_snapshot_rows_scanned{connector=%s,table=%s} %d\n", label(c.Name), label(table), rows[table])
		}
	}
}

// writeProcess writes the process metrics Prometheus's Go client names so,
// for dashboards that chart a daemon's CPU and memory.
func writeProcess(b io.Writer, header func(name, typ, help string)) {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		cpu := float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
		header("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.")
		fmt.Fprintf(b, "process_cpu_seconds_total %s\n", strconv.FormatFloat(cpu, 'f', -1, 64))
	}
	if rss, ok := residentBytes(); ok {
		header("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
		fmt.Fprintf(b, "process_resident_memory_bytes %d\n", rss)
	}
}

// residentBytes reads VmRSS from /proc/self/status (Linux only).
func residentBytes() (int64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err == nil
		}
	}
	return 0, false
}

// label quotes a label value: backslash, double quote and newline escaped.
func label(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v) + `"`
}
