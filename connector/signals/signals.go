// Package signals reads Debezium's external signal channels: a Kafka topic
// (signal.enabled.channels=kafka) and a file (file). Their signals go into
// an Inbox that the stream empties at transaction ends, where it acts on
// them as on rows of the signal table (the source channel, which the
// stream reads from the binlog itself).
package signals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"
)

// Signal is one signal read from an external channel.
type Signal struct {
	ID, Type string
	Data     string // the data object's JSON text, "" when there is none
	// Offset is the Kafka channel's record offset (-1 for the file).
	Offset int64
}

// Types are the signal types Sluice acts on from an external channel. The
// watermark types belong to the signal table only.
var Types = []string{"execute-snapshot", "stop-snapshot", "pause-snapshot", "resume-snapshot", "log"}

// Inbox holds the signals read and not yet taken by the stream.
type Inbox struct {
	mu      sync.Mutex
	pending []Signal
	n       atomic.Int32 // len(pending), read without the lock per transaction
	taken   atomic.Int64 // the highest Kafka offset taken, -1 before any
}

// NewInbox returns an empty inbox.
func NewInbox() *Inbox {
	in := &Inbox{}
	in.taken.Store(-1)
	return in
}

// dropKafka forgets the Kafka channel's signals not taken: a new reader
// reads them again from the group's committed offset.
func (in *Inbox) dropKafka() {
	in.mu.Lock()
	in.pending = slices.DeleteFunc(in.pending, func(s Signal) bool { return s.Offset >= 0 })
	in.n.Store(int32(len(in.pending)))
	in.mu.Unlock()
}

func (in *Inbox) put(s Signal) {
	in.mu.Lock()
	in.pending = append(in.pending, s)
	in.n.Store(int32(len(in.pending)))
	in.mu.Unlock()
}

// Pending reports whether signals wait to be taken.
func (in *Inbox) Pending() bool { return in != nil && in.n.Load() > 0 }

// Take hands the waiting signals to the stream, which acts on them at the
// transaction end it is at. The Kafka channel commits past them when the
// stream stops.
func (in *Inbox) Take() []Signal {
	if !in.Pending() {
		return nil
	}
	in.mu.Lock()
	out := in.pending
	in.pending = nil
	in.n.Store(0)
	in.mu.Unlock()
	for _, s := range out {
		if s.Offset > in.taken.Load() {
			in.taken.Store(s.Offset)
		}
	}
	return out
}

// Config is the external channels' settings, Debezium's names.
type Config struct {
	Kafka bool // "kafka" in signal.enabled.channels
	File  bool // "file"
	// Topic is signal.kafka.topic, by default <topic.prefix>-signal.
	Topic string
	// Brokers are signal.kafka.bootstrap.servers; empty: the worker's.
	Brokers []string
	// Group is signal.kafka.groupId ("kafka-signal"): the consumer group
	// whose committed offset says where the channel resumes.
	Group string
	// Key is the key a signal record must have: topic.prefix.
	Key string
	// Path is signal.file ("file-signals.txt").
	Path string
	// Poll is signal.poll.interval.ms (5 s): how often the file is read.
	Poll time.Duration
}

// Enabled reports whether any external channel is on.
func (c Config) Enabled() bool { return c.Kafka || c.File }

// ParseConfig reads the channels from a connector's properties; topicPrefix
// is its topic.prefix. Channels other than source, kafka and file are the
// config package's to refuse.
func ParseConfig(raw map[string]string, topicPrefix string) (Config, error) {
	c := Config{Topic: topicPrefix + "-signal", Group: "kafka-signal", Key: topicPrefix, Path: "file-signals.txt", Poll: 5 * time.Second}
	for _, ch := range strings.Split(raw["signal.enabled.channels"], ",") {
		switch strings.ToLower(strings.TrimSpace(ch)) {
		case "kafka":
			c.Kafka = true
		case "file":
			c.File = true
		}
	}
	if v := strings.TrimSpace(raw["signal.kafka.topic"]); v != "" {
		c.Topic = v
	}
	if v := strings.TrimSpace(raw["signal.kafka.groupId"]); v != "" {
		c.Group = v
	}
	if v := strings.TrimSpace(raw["signal.file"]); v != "" {
		c.Path = v
	}
	for _, b := range strings.Split(raw["signal.kafka.bootstrap.servers"], ",") {
		if b = strings.TrimSpace(b); b != "" {
			c.Brokers = append(c.Brokers, b)
		}
	}
	if v := strings.TrimSpace(raw["signal.poll.interval.ms"]); v != "" {
		ms, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ms <= 0 {
			return c, fmt.Errorf("property %q: %q is not a positive number of milliseconds", "signal.poll.interval.ms", v)
		}
		c.Poll = time.Duration(ms) * time.Millisecond
	}
	return c, nil
}

// Start runs the enabled channels until ctx ends, putting what they read
// into in; the returned function waits for them to stop. kafka are the
// worker's client options (security), brokers its bootstrap servers.
func Start(ctx context.Context, cfg Config, in *Inbox, kafka []kgo.Opt, brokers []string, log *zap.Logger) func() {
	var wg sync.WaitGroup
	if cfg.Kafka {
		in.dropKafka()
		if len(cfg.Brokers) > 0 {
			brokers = cfg.Brokers
		}
		k := &kafkaChannel{cfg: cfg, in: in, opts: append(slices.Clone(kafka), kgo.SeedBrokers(brokers...)),
			log: log.With(zap.String("signal_topic", cfg.Topic))}
		wg.Go(func() { k.run(ctx) })
	}
	if cfg.File {
		f := &fileChannel{path: cfg.Path, poll: cfg.Poll, in: in, log: log.With(zap.String("signal_file", cfg.Path))}
		wg.Go(func() { f.run(ctx) })
	}
	return wg.Wait
}

// errNoSignal: a document that is not a signal (no id or type).
var errNoSignal = errors.New(`a signal is a JSON object {"id": "...", "type": "...", "data": {...}}`)

// parse reads one signal document, as Debezium's channels read it: id,
// type and the data object.
func parse(doc []byte) (Signal, error) {
	var raw struct {
		ID   *string         `json:"id"`
		Type *string         `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(doc, &raw); err != nil {
		return Signal{}, fmt.Errorf("%w: %v", errNoSignal, err)
	}
	if raw.ID == nil || raw.Type == nil {
		return Signal{}, errNoSignal
	}
	s := Signal{ID: *raw.ID, Type: *raw.Type, Offset: -1}
	if d := strings.TrimSpace(string(raw.Data)); d != "" && d != "null" {
		s.Data = d
	}
	return s, nil
}

// accept puts s into in when Sluice acts on its type from an external
// channel, and says why not otherwise.
func accept(in *Inbox, s Signal, log *zap.Logger) {
	if !slices.Contains(Types, s.Type) {
		log.Warn("ignoring an external signal of a type Sluice does not take from this channel",
			zap.String("id", s.ID), zap.String("type", s.Type), zap.Strings("types", Types))
		return
	}
	log.Info("external signal received; it is acted on at the next transaction end the binlog shows",
		zap.String("id", s.ID), zap.String("type", s.Type), zap.String("data", s.Data))
	in.put(s)
}
