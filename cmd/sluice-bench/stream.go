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

// readProperties reads a Java properties file of key=value lines (# and !
// start comments), the connector-file fragment --transforms names.
func readProperties(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	props := map[string]string{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: %q is not key=value", path, n+1, line)
		}
		props[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return props, nil
}

// stream runs streamOne for each converter (and, with a chain, each
// converter again with it), one after the other on the same binary, and
// prints them side by side.
func stream(rows, txnRows int, backlog bool, bin string, convs []string, registryURL, transforms string) error {
	for _, c := range convs {
		if _, err := converterSettings(c, registryURL); err != nil {
			return err
		}
	}
	var chain map[string]string
	if transforms != "" {
		var err error
		if chain, err = readProperties(transforms); err != nil {
			return fmt.Errorf("--transforms: %w", err)
		}
	}
	if bin == "" {
		dir, err := os.MkdirTemp("", "sluice-bench-bin")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "sluice")
		if out, err := exec.Command("go", "build", "-o", bin, sluicePkg).CombinedOutput(); err != nil {
			return fmt.Errorf("building sluice: %v\n%s", err, out)
		}
	}
	var results []streamResult
	for _, c := range convs {
		settings, _ := converterSettings(c, registryURL)
		runs := []struct {
			name  string
			extra map[string]string
		}{{c, settings}}
		if chain != nil {
			with := map[string]string{}
			for _, m := range []map[string]string{settings, chain} {
				for k, v := range m {
					with[k] = v
				}
			}
			runs = append(runs, struct {
				name  string
				extra map[string]string
			}{c + "+transforms", with})
		}
		for _, run := range runs {
			fmt.Printf("== %s\n", run.name)
			r, err := streamOne(rows, txnRows, backlog, bin, run.name, run.extra)
			if err != nil {
				return fmt.Errorf("%s: %w", run.name, err)
			}
			results = append(results, r)
		}
	}
	if len(results) > 1 {
		fmt.Printf("\n%-26s %12s %10s\n", "run", "rows/s", "peak RSS")
		for _, r := range results {
			fmt.Printf("%-26s %12.0f %7d MiB\n", r.conv, r.rowsPer, r.rssMiB)
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
	// A chain may route the records: count every data topic of the bench
	// database (not the schema history).
	topics := []string{b.db + "." + b.db + ".t"}
	var total int64
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if listed, err := adm.ListTopics(context.Background()); err == nil {
			topics = topics[:0]
			for _, name := range listed.Names() {
				if strings.HasPrefix(name, b.db+"."+b.db+".") {
					topics = append(topics, name)
				}
			}
		}
		ends, err := adm.ListEndOffsets(context.Background(), topics...)
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
	if _, err := adm.DeleteTopics(context.Background(), topics...); err != nil {
		fmt.Fprintf(os.Stderr, "sluice-bench: deleting topics %v: %v\n", topics, err)
	}
	if total < int64(rows) {
		return res, fmt.Errorf("only %d of %d change events reached Kafka", total, rows)
	}
	what := "from the first write to the last change event in Kafka"
	if backlog {
		what = "catching up a backlog, from sluice's start to the last change event in Kafka"
	}
	fmt.Printf("stream: %d rows in %d-row transactions (MariaDB took %s to commit them); %s (%s): %s, %.0f rows/s\n",
		rows, txnRows, wrote.Round(time.Millisecond), what, strings.Join(topics, ", "), elapsed.Round(time.Millisecond), float64(rows)/elapsed.Seconds())
	res.rowsPer = float64(rows) / elapsed.Seconds()
	if ru := maxRSS(cmd); ru > 0 {
		res.rssMiB = ru / 1024
		fmt.Printf("peak RSS of sluice: %d MiB\n", res.rssMiB)
	}
	return res, nil
}
