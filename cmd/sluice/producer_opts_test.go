package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pierrec/lz4/v4"
	"github.com/sluice-cdc/sluice/config"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A broker that does not host a new topic's partition yet answers its first
// produce requests with UNKNOWN_TOPIC_OR_PARTITION (a loaded KRaft broker
// did so for over a second in CI). The producer must keep trying rather
// than fail the record after franz-go's default of four answers.
func TestProducerOutwaitsAPartitionNotHostedYet(t *testing.T) {
	const refusals = 8
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "t_new"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var refused atomic.Int32
	c.ControlKey(int16(kmsg.Produce), func(kreq kmsg.Request) (kmsg.Response, error, bool) {
		if refused.Load() >= refusals {
			return nil, nil, false
		}
		c.KeepControl()
		refused.Add(1)
		req := kreq.(*kmsg.ProduceRequest)
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, rt := range req.Topics {
			st := kmsg.NewProduceResponseTopic()
			st.Topic = rt.Topic
			st.TopicID = rt.TopicID
			for _, rp := range rt.Partitions {
				sp := kmsg.NewProduceResponseTopicPartition()
				sp.Partition = rp.Partition
				sp.ErrorCode = kerr.UnknownTopicOrPartition.Code
				st.Partitions = append(st.Partitions, sp)
			}
			resp.Topics = append(resp.Topics, st)
		}
		return resp, nil, true
	})
	opts, err := producerOpts(&config.Worker{})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(c.ListenAddrs()...))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t_new", Key: []byte("1"), Value: []byte("v")}).FirstErr(); err != nil {
		t.Fatalf("the record failed after %d refusals: %v", refused.Load(), err)
	}
	if n := refused.Load(); n != refusals {
		t.Fatalf("the broker refused %d produce requests, want %d: the test did not exercise the retries", n, refusals)
	}
}

// The LZ4 frames the producer writes have the frame descriptor Kafka's Java
// producer writes (FLG: version 1, independent blocks, no block or content
// checksum; BD: 64 KiB blocks), and read back as written: a batch of 1 MiB
// of change events, and one smaller than a block.
func TestLz4CompressorFrames(t *testing.T) {
	c := newLz4Compressor()
	event := []byte(`{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}]},"payload":{"id":`)
	var batch []byte
	for i := 0; len(batch) < 1<<20; i++ {
		batch = append(append(batch, event...), fmt.Sprintf("%d}}", i)...)
	}
	for _, src := range [][]byte{batch, batch[:1000]} {
		out, codec := c.Compress(new(bytes.Buffer), src)
		if codec != kgo.CodecLz4 || len(out) >= len(src) {
			t.Fatalf("%d bytes: codec %v, %d bytes out; want lz4, smaller", len(src), codec, len(out))
		}
		// Magic number (4 bytes), FLG (0x60: version 01, block
		// independence, no checksums, no content size), BD (0x40: 64 KiB).
		if magic := binary.LittleEndian.Uint32(out); magic != 0x184D2204 || out[4] != 0x60 || out[5] != 0x40 {
			t.Errorf("%d bytes: frame magic %#x, FLG %#x, BD %#x; want an LZ4 frame (FLG 0x60, BD 0x40)", len(src), magic, out[4], out[5])
		}
		back, err := io.ReadAll(lz4.NewReader(bytes.NewReader(out)))
		if err != nil || !bytes.Equal(back, src) {
			t.Errorf("%d bytes: read back %d bytes (%v), want what was written", len(src), len(back), err)
		}
	}
}
