package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// stream measures end-to-end streaming: rows written to MariaDB until the
// last of their change events is in Kafka.
func stream(rows, txnRows int, backlog bool, bin string) error {
	b, cleanup, err := newBench("stream", bin)
	if err != nil {
		return err
	}
	defer cleanup()
	extra := map[string]string{"snapshot.mode": "no_data", "database.server.id": "5998"}
	if v := os.Getenv("SLUICE_BENCH_EXTENDED_HEADERS"); v != "" {
		extra["extended.headers.enabled"] = v
	}
	path, err := b.connector(extra)
	if err != nil {
		return err
	}
	start := func() (*exec.Cmd, error) {
		cmd := b.command(path)
		logf, _ := os.Create(filepath.Join(b.dir, "sluice.log"))
		cmd.Stderr = logf
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			logb, _ := os.ReadFile(logf.Name())
			if strings.Contains(string(logb), "binlog streaming from") {
				return cmd, nil
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				return nil, fmt.Errorf("sluice did not start streaming:\n%s", logb)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	cmd, err := start()
	if err != nil {
		return err
	}
	if backlog {
		// The first run stored the start position; stop it while the rows
		// are written.
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}
	began := time.Now()
	for lo := 1; lo <= rows; lo += txnRows {
		if err := b.insert(lo, min(lo+txnRows-1, rows)); err != nil {
			return err
		}
	}
	wrote := time.Since(began)
	if backlog {
		if cmd, err = start(); err != nil {
			return err
		}
		began = time.Now()
	}
	// A short metadata age: the topic appears while this client polls it,
	// and with the default it would learn of it 5 s late.
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(b.kafka, ",")...), kgo.MetadataMinAge(50*time.Millisecond))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	topic := b.db + "." + b.db + ".t"
	var total int64
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ends, err := adm.ListEndOffsets(context.Background(), topic)
		if err != nil {
			continue
		}
		total = 0
		ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
		if total >= int64(rows) {
			break
		}
	}
	elapsed := time.Since(began)
	_ = cmd.Process.Signal(os.Interrupt)
	_ = cmd.Wait()
	if total < int64(rows) {
		return fmt.Errorf("only %d of %d change events reached Kafka", total, rows)
	}
	what := "from the first write to the last change event in Kafka"
	if backlog {
		what = "catching up a backlog, from sluice's start to the last change event in Kafka"
	}
	fmt.Printf("stream: %d rows in %d-row transactions (MariaDB took %s to commit them); %s: %s, %.0f rows/s\n",
		rows, txnRows, wrote.Round(time.Millisecond), what, elapsed.Round(time.Millisecond), float64(rows)/elapsed.Seconds())
	if ru := maxRSS(cmd); ru > 0 {
		fmt.Printf("peak RSS of sluice: %d MiB\n", ru/1024)
	}
	return nil
}
