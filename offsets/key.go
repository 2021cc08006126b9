package offsets

import (
	"encoding/json"
	"fmt"

	"github.com/sluice-cdc/sluice/internal/javafmt"
)

// Key returns the _connect_offsets record key Kafka Connect writes for a
// source connector whose partition is {"server": server}:
//
//	["<connector>",{"server":"<server>"}]
//
// The bytes are exactly what Kafka Connect's JsonConverter (schemas disabled,
// Jackson underneath) produces, because the key is both the compaction
// identity and the input of the partition choice: a key that differs by a
// single byte (a space, an escape) is another offset, in another partition.
// Jackson escapes less than encoding/json does (no HTML escaping, U+2028 and
// U+2029 raw) and escapes characters outside the BMP as surrogate pairs.
func Key(connector, server string) []byte {
	return TaskKey(connector, server, "")
}

// TaskKey is the key of a connector that stores one offset per task, as
// Debezium's Vitess connector does with vitess.offset.storage.per.task=true:
//
//	["<connector>",{"server":"<server>","task_key":"<taskKey>"}]
//
// The partition is a Java HashMap, and this is the order its iteration
// gives for these two keys (as the real Kafka Connect wrote it, see
// testdata/vitess-per-task.golden). An empty taskKey gives [Key].
func TaskKey(connector, server, taskKey string) []byte {
	b := make([]byte, 0, len(connector)+len(server)+len(taskKey)+32)
	b = append(b, '[')
	b = appendJacksonString(b, connector)
	b = append(b, `,{"server":`...)
	b = appendJacksonString(b, server)
	if taskKey != "" {
		b = append(b, `,"task_key":`...)
		b = appendJacksonString(b, taskKey)
	}
	return append(b, '}', ']')
}

// ConnectorKeyPrefix is how every key of this connector's offsets begins,
// whatever its partition: ["<connector>",
func ConnectorKeyPrefix(connector string) []byte {
	b := append([]byte{'['}, appendJacksonString(nil, connector)...)
	return append(b, ',')
}

// KeyPartition decodes a key Kafka Connect wrote, ["<connector>",{...}],
// into the connector name and its partition's string fields.
func KeyPartition(key []byte) (connector string, partition map[string]string, err error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(key, &parts); err != nil || len(parts) != 2 {
		return "", nil, fmt.Errorf("offset key %s is not [connector, partition]", key)
	}
	if err := json.Unmarshal(parts[0], &connector); err != nil {
		return "", nil, fmt.Errorf("offset key %s: the connector name is not a string", key)
	}
	var raw map[string]any
	if err := json.Unmarshal(parts[1], &raw); err != nil {
		return "", nil, fmt.Errorf("offset key %s: the partition is not an object", key)
	}
	partition = make(map[string]string, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok {
			partition[k] = s
		}
	}
	return connector, partition, nil
}

// appendJacksonString writes s as Kafka Connect's JsonConverter and offset
// writer (Jackson's UTF8JsonGenerator) do.
func appendJacksonString(b []byte, s string) []byte { return javafmt.AppendJSONString(b, s, true) }

// Partition returns the partition Kafka's Java producer picks for a record
// with this key among numPartitions partitions:
// Utils.toPositive(Utils.murmur2(key)) % numPartitions. Kafka Connect writes
// its offsets with that producer, so a Sluice offset lands where Kafka
// Connect (and Debezium) would look for it. numPartitions must be positive.
func Partition(key []byte, numPartitions int32) int32 {
	if numPartitions <= 0 {
		panic("offsets: Partition called with a non-positive partition count")
	}
	return int32(murmur2(key)&0x7fffffff) % numPartitions
}

// murmur2 is Kafka's Utils.murmur2: 32-bit MurmurHash2 with seed 0x9747b28c,
// little-endian 4-byte blocks. Java's signed ints with >>> shifts are the
// same bits as uint32 arithmetic here.
func murmur2(data []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	h := seed ^ uint32(len(data))
	for len(data) >= 4 {
		k := uint32(data[0]) | uint32(data[1])<<8 | uint32(data[2])<<16 | uint32(data[3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
		data = data[4:]
	}
	switch len(data) {
	case 3:
		h ^= uint32(data[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(data[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(data[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}
