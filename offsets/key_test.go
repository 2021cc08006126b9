package offsets

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/twmb/franz-go/pkg/kgo"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The expected values below were produced by the real Java code, not by this
// package: Kafka 4.1.1's org.apache.kafka.connect.json.JsonConverter
// (schemas.enable=false, configured as a key converter, called as
// OffsetStorageWriter does: fromConnectData(connector, null,
// List.of(connector, Map.of("server", server)))), Utils.murmur2 on its output
// and BuiltInPartitioner.partitionForKey(key, n), the producer's choice.
var connectKeys = []struct {
	connector, server string // hex of the UTF-8 bytes
	key               string // hex of the converter's output
	murmur2           int32
	p25, p7           int32
}{
	{
		connector: "696e76656e746f7279", server: "646273657276657231", // inventory, dbserver1
		key:     "5b22696e76656e746f7279222c7b22736572766572223a22646273657276657231227d5d",
		murmur2: 1282525153, p25: 3, p7: 0,
	},
	{
		connector: "6d7973716c2d636f6e6e6563746f72", server: "6d7973716c", // mysql-connector, mysql
		key:     "5b226d7973716c2d636f6e6e6563746f72222c7b22736572766572223a226d7973716c227d5d",
		murmur2: -1807933471, p25: 2, p7: 1,
	},
	{
		connector: "736c75696365", server: "707265666978", // sluice, prefix
		key:     "5b22736c75696365222c7b22736572766572223a22707265666978227d5d",
		murmur2: 939569122, p25: 22, p7: 2,
	},
	{
		connector: "", server: "",
		key:     "5b22222c7b22736572766572223a22227d5d",
		murmur2: -1464804536, p25: 12, p7: 3,
	},
	{
		// we"ird\name<&>U+2028 TAB U+0001 é U+1F600 / srv/1 LF DEL U+001F BS FF CR
		connector: "7765226972645c6e616d653c263ee280a80901c3a9f09f9880",
		server:    "7372762f310a7f1f080c0d",
		key: "5b2277655c226972645c5c6e616d653c263ee280a85c745c7530303031c3a95c75443833445c7544453030222c" +
			"7b22736572766572223a227372762f315c6e7f5c75303031465c625c665c72227d5d",
		murmur2: -964361506, p25: 17, p7: 6,
	},
}

func TestKeyMatchesKafkaConnect(t *testing.T) {
	for _, c := range connectKeys {
		connector, server := string(unhex(t, c.connector)), string(unhex(t, c.server))
		got := Key(connector, server)
		if want := unhex(t, c.key); string(got) != string(want) {
			t.Errorf("Key(%q, %q)\n got %s\nwant %s", connector, server, got, want)
		}
	}
	if got, want := string(Key("inventory", "dbserver1")), `["inventory",{"server":"dbserver1"}]`; got != want {
		t.Errorf("Key = %s, want %s", got, want)
	}
}

func TestPartitionMatchesKafkaProducer(t *testing.T) {
	for _, c := range connectKeys {
		key := unhex(t, c.key)
		if got := int32(murmur2(key)); got != c.murmur2 {
			t.Errorf("murmur2(%s) = %d, want %d", key, got, c.murmur2)
		}
		if got := Partition(key, 25); got != c.p25 {
			t.Errorf("Partition(%s, 25) = %d, want %d", key, got, c.p25)
		}
		if got := Partition(key, 7); got != c.p7 {
			t.Errorf("Partition(%s, 7) = %d, want %d", key, got, c.p7)
		}
		if got := Partition(key, 1); got != 0 {
			t.Errorf("Partition(%s, 1) = %d, want 0", key, got)
		}
	}
}

// Kafka's UtilsTest.testMurmur2 vectors (the first six), plus values from
// running Utils.murmur2 (Kafka 4.1.1) on short and non-ASCII inputs that
// exercise every tail length and bytes >= 0x80 (sign extension in Java).
func TestMurmur2JavaVectors(t *testing.T) {
	for _, c := range []struct {
		in   []byte
		want int32
	}{
		{[]byte("21"), -973932308},
		{[]byte("foobar"), -790332482},
		{[]byte("a-little-bit-long-string"), -985981536},
		{[]byte("a-little-bit-longer-string"), -1486304829},
		{[]byte("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971},
		{[]byte("abc"), 479470107},
		{[]byte(""), 275646681},
		{[]byte("a"), -1563381124},
		{[]byte("ab"), 316155434},
		{[]byte("abcd"), -1323649548},
		{[]byte("\u00ff\u00fe\u0080"), 1494463967},
		{[]byte{0xff, 0x80, 0x7f, 0x00, 0xc3}, 1119845942},
	} {
		if got := int32(murmur2(c.in)); got != c.want {
			t.Errorf("murmur2(%x) = %d, want %d", c.in, got, c.want)
		}
	}
}

// franz-go's default key partitioner is another Java-compatible
// implementation; both must agree on every key.
func TestPartitionAgreesWithFranzGo(t *testing.T) {
	p := kgo.StickyKeyPartitioner(nil).ForTopic("_connect_offsets")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		key := make([]byte, rng.IntN(64))
		for j := range key {
			key[j] = byte(rng.UintN(256))
		}
		if i%2 == 0 {
			key = Key(fmt.Sprintf("connector-%d", i), fmt.Sprintf("server-%d", rng.Int()))
		}
		for _, n := range []int32{1, 3, 25, 50} {
			if got, want := Partition(key, n), int32(p.Partition(&kgo.Record{Key: key}, int(n))); got != want {
				t.Fatalf("Partition(%x, %d) = %d, franz-go says %d", key, n, got, want)
			}
		}
	}
}

func TestKeyIsValidJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []rune{'a', 'Z', '0', '"', '\\', '/', '\n', '\t', 0, 0x1f, 0x7f, 'é', 0x2028, 0xFFFD, 0x1F600, 0x10FFFF, '<', '&'}
	for range 2000 {
		var c, s []rune
		for range rng.IntN(12) {
			c = append(c, alphabet[rng.IntN(len(alphabet))])
		}
		for range rng.IntN(12) {
			s = append(s, alphabet[rng.IntN(len(alphabet))])
		}
		key := Key(string(c), string(s))
		var got []any
		if err := json.Unmarshal(key, &got); err != nil {
			t.Fatalf("Key(%q, %q) = %s: %v", string(c), string(s), key, err)
		}
		want := []any{string(c), map[string]any{"server": string(s)}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Key(%q, %q) = %s decodes to %#v", string(c), string(s), key, got)
		}
	}
	// Invalid UTF-8 becomes U+FFFD, as in a Java string.
	if got, want := string(Key("a\xffb", "s")), "[\"a\uFFFDb\",{\"server\":\"s\"}]"; got != want {
		t.Errorf("Key with invalid UTF-8 = %q, want %q", got, want)
	}
	if !utf8.Valid(Key("\xc3", "\xed\xa0\x80")) {
		t.Error("Key output is not valid UTF-8")
	}
}

func TestPartitionPanicsOnZeroPartitions(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	Partition([]byte("k"), 0)
}

func BenchmarkKey(b *testing.B) {
	for b.Loop() {
		Key("inventory", "dbserver1")
	}
}
