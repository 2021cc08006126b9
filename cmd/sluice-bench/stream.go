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

// converterSettings are the connector settings of each --converters name.
func converterSettings(name, registryURL string) (map[string]string, error) {
	switch name {
	case "json":
		return map[string]string{"key.converter.schemas.enable": "true", "value.converter.schemas.enable": "true"}, nil
	case "json-noschema":
		return map[string]string{}, nil
	case "avro":
		if registryURL == "" {
			return nil, fmt.Errorf("--converters avro needs --registry URL (deploy/local/registry.sh start prints one)")
		}
		const class = "io.confluent.connect.avro.AvroConverter"
		return map[string]string{"key.converter": class, "key.converter.schema.registry.url": registryURL,
			"value.converter": class, "value.converter.schema.registry.url": registryURL}, nil
	}
	return nil, fmt.Errorf("--converters: unknown converter %q; use json, json-noschema or avro", name)
}

type streamResult struct {
	conv    string
	rowsPer float64
	rssMiB  int64
}

// stream runs streamOne for each converter, one after the other on the
// same binary, and prints them side by side.
func stream(rows, txnRows int, backlog bool, bin string, convs []string, registryURL string) error {
	for _, c := range convs {
		if _, err := converterSettings(c, registryURL); err != nil {
			return err
		}
	}
	if bin == "" {
		dir, err := os.MkdirTemp("", "sluice-bench-bin")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "sluice")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/sluice").CombinedOutput(); err != nil {
			return fmt.Errorf("building sluice: %v\n%s", err, out)
		}
	}
	var results []streamResult
	for _, c := range convs {
		settings, _ := converterSettings(c, registryURL)
		fmt.Printf("== %s\n", c)
		r, err := streamOne(rows, txnRows, backlog, bin, c, settings)
		if err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
		results = append(results, r)
	}
	if len(results) > 1 {
		fmt.Printf("\n%-14s %12s %10s\n", "converter", "rows/s", "peak RSS")
		for _, r := range results {
			fmt.Printf("%-14s %12.0f %7d MiB\n", r.conv, r.rowsPer, r.rssMiB)
		}
	}
	return nil
}

// streamOne measures end-to-end streaming with one converter: rows written
// to MariaDB until the last of their change events is in Kafka.
func streamOne(rows, txnRows int, backlog bool, bin, conv string, settings map[string]string) (streamResult, error) {
	res := streamResult{conv: conv}
	b, cleanup, err := newBench("stream", bin)
	if err != nil {
		return res, err
	}
	defer cleanup()
	extra := map[string]string{"snapshot.mode": "no_data", "database.server.id": "5998"}
	for k, v := range settings {
		extra[k] = v
	}
	if v := os.Getenv("SLUICE_BENCH_EXTENDED_HEADERS"); v != "" {
		extra["extended.headers.enabled"] = v
	}
	path, err := b.connector(extra)
	if err != nil {
		return res, err
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
		return res, err
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
			return res, err
		}
	}
	wrote := time.Since(began)
	if backlog {
		if cmd, err = start(); err != nil {
			return res, err
		}
		began = time.Now()
	}
	// A short metadata age: the topic appears while this client polls it,
	// and with the default it would learn of it 5 s late.
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(b.kafka, ",")...), kgo.MetadataMinAge(50*time.Millisecond))
	if err != nil {
		return res, err
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
	// Several runs of a million rows would fill a small disk: the topic
	// goes with the run (JSON with schemas is about 4 KB a record).
	if _, err := adm.DeleteTopics(context.Background(), topic); err != nil {
		fmt.Fprintf(os.Stderr, "sluice-bench: deleting topic %s: %v\n", topic, err)
	}
	if total < int64(rows) {
		return res, fmt.Errorf("only %d of %d change events reached Kafka", total, rows)
	}
	what := "from the first write to the last change event in Kafka"
	if backlog {
		what = "catching up a backlog, from sluice's start to the last change event in Kafka"
	}
	fmt.Printf("stream: %d rows in %d-row transactions (MariaDB took %s to commit them); %s: %s, %.0f rows/s\n",
		rows, txnRows, wrote.Round(time.Millisecond), what, elapsed.Round(time.Millisecond), float64(rows)/elapsed.Seconds())
	res.rowsPer = float64(rows) / elapsed.Seconds()
	if ru := maxRSS(cmd); ru > 0 {
		res.rssMiB = ru / 1024
		fmt.Printf("peak RSS of sluice: %d MiB\n", res.rssMiB)
	}
	return res, nil
}
