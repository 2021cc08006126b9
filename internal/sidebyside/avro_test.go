package sidebyside

// The Avro side by side: the same run as TestSideBySide with both
// implementations writing Avro through one schema registry. Debezium's
// connectors use Apicurio's Kafka Connect AvroConverter
// (io.apicurio.registry.utils.converter.AvroConverter, its port of
// Confluent's AvroData; Confluent's own converter is not on Maven Central),
// Sluice the same class and the same converter properties. Two things are
// compared:
//
//   - the schemas each registered, subject by subject and version by
//     version, field by field (kinds "registry …");
//   - the records, each decoded with its writer schema (the id in its
//     framing, fetched from the registry) and compared as the JSON run
//     compares payloads; a record's "schema" is the subject and version its
//     id belongs to.
//
// Only the topic prefix, which is in every name and namespace, is
// normalised. allow.txt (Debezium's own errors, which show in Avro as in
// JSON) and allow_avro.txt (where Sluice deliberately writes what
// Confluent's AvroData writes and Apicurio's port does not) are read.

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/kgo"
)

const apicurioConverter = "io.apicurio.registry.utils.converter.AvroConverter"

// TestSideBySideAvro runs the MySQL-family side by side with Avro
// converters. Besides TestSideBySide's servers it needs the registry
// (deploy/local/registry.sh start prints SLUICE_TEST_REGISTRY_URL, its
// Confluent-compatible API); it starts the Kafka Connect worker with
// SLUICE_CONNECT_AVRO=1, which gives it Apicurio's converter:
//
//	SLUICE_SIDEBYSIDE=1 SLUICE_SIDEBYSIDE_AVRO=1 go test -count=1 -v -run Avro ./internal/sidebyside/
//
// SLUICE_SIDEBYSIDE_AVRO_CLASSES (default mariadb,mariadb-modes,
// mariadb-transforms,mariadb-shapes) picks the classes; mariadb-modes is
// the MariaDB class with the handling modes that change the schemas most
// (Kafka Connect's temporal and decimal logical types, which AvroData maps
// to Avro logical types), the other two the transform chains.
func TestSideBySideAvro(t *testing.T) {
	if os.Getenv("SLUICE_SIDEBYSIDE_AVRO") != "1" {
		t.Skip("Avro side by side: set SLUICE_SIDEBYSIDE=1 SLUICE_SIDEBYSIDE_AVRO=1 (and SLUICE_TEST_REGISTRY_URL from deploy/local/registry.sh)")
	}
	regURL := registryURL(t)
	want := os.Getenv("SLUICE_SIDEBYSIDE_AVRO_CLASSES")
	if want == "" {
		want = "mariadb,mariadb-modes,mariadb-transforms,mariadb-shapes"
	}
	var names []string
	for _, c := range strings.Split(want, ",") {
		c = strings.TrimSpace(c)
		if classes[c] == "" && avroVariants[c].class == "" {
			t.Fatalf("SLUICE_SIDEBYSIDE_AVRO_CLASSES: unknown class %q (mariadb, mysql, mariadb-modes, mariadb-transforms, mariadb-shapes)", c)
		}
		names = append(names, c)
	}
	t.Setenv("SLUICE_CONNECT_AVRO", "1")
	e := setup(t)
	runMySQLFamily(t, e, names, avroMode(&registryReader{base: regURL}))
}

// registryURL is the schema registry's Confluent-compatible API the Avro
// runs register with (deploy/local/registry.sh's SLUICE_TEST_REGISTRY_URL).
func registryURL(t *testing.T) string {
	t.Helper()
	u := strings.TrimRight(os.Getenv("SLUICE_TEST_REGISTRY_URL"), "/")
	if u == "" {
		t.Fatal("SLUICE_SIDEBYSIDE_AVRO=1 but SLUICE_TEST_REGISTRY_URL is not set; start the registry with deploy/local/registry.sh start")
	}
	return u
}

// avroVariants: the MariaDB class with Connect's temporal types (Avro's
// date, time-millis and timestamp-millis), precise unsigned BIGINT
// (Decimal: Avro's decimal), binary columns as hex strings, the source
// types of t_dec's columns (connect.parameters) and hashed t_str columns;
// and with the transform chain.
var avroVariants = map[string]variant{
	"mariadb-modes": {class: "mariadb", tag: "mm", props: map[string]string{
		"time.precision.mode":           "connect",
		"bigint.unsigned.handling.mode": "precise",
		"binary.handling.mode":          "hex",
		"decimal.handling.mode":         "precise",
		"column.propagate.source.type":  `.*\.t_dec\..*`,
		// Salted hashes of character columns, cut to the column's length
		// (VARCHAR(10), ENUM's 1) or whole (TEXT), the "masked" parameter
		// in the schema; a salt with dots.
		"column.mask.hash.SHA-256.with.salt.CzQMA0cB5K": `.*\.t_str\.(l|tx|lt|e)`,
		"column.mask.hash.v2.MD5.with.salt.s4.lt":       `.*\.t_str\.(vb|mt)`,
		// Avro's boolean with a default, for the column a selector names.
		"converters":          "bool",
		"bool.type":           "io.debezium.connector.binlog.converters.TinyIntOneToBooleanConverter",
		"bool.selector":       `.*\.T_INT\.bo`,
		"bool.length.checker": "true",
	}},
	// The JSON run's transform chain (transformsProps), its flattened
	// records and the schemas they register in Avro.
	"mariadb-transforms": {class: "mariadb", tag: "at", props: transformsProps},
	// The chain of the transforms that reshape records (shapesProps): a
	// renamed, versioned record schema, a key that is an int alone.
	"mariadb-shapes": {class: "mariadb", tag: "as", props: shapesProps},
}

func avroMode(rr *registryReader) mode {
	native := strings.Replace(rr.base, "/apis/ccompat/v7", "/apis/registry/v2", 1)
	return mode{
		name:     "Avro",
		variants: avroVariants,
		props: func(m map[string]string) {
			for _, side := range []string{"key", "value"} {
				p := side + ".converter"
				m[p] = apicurioConverter
				m[p+".apicurio.registry.url"] = native
				m[p+".apicurio.registry.auto-register"] = "true"
				// Confluent's framing (magic byte, 4-byte id) with the
				// content id, which is the id the Confluent-compatible
				// API serves, and no id headers.
				m[p+".apicurio.registry.as-confluent"] = "true"
				m[p+".apicurio.registry.use-id"] = "contentId"
				m[p+".apicurio.registry.headers.enabled"] = "false"
			}
		},
		allow: []string{"allow.txt", "allow_avro.txt"},
		rules: func(t *testing.T, p pair) classRules {
			var normalise func(string, *rec)
			if p.props["transforms"] != "" {
				normalise = unwrappedOp
			}
			return classRules{
				normalise: normalise,
				decode: func(class string, r *kgo.Record, key bool) any {
					b := r.Value
					if key {
						b = r.Key
					}
					if class == "history" {
						// Written by the schema history's own producer,
						// in JSON, whatever the converters.
						return parse(b)
					}
					return rr.decode(r.Topic, b)
				},
				keyBody: func(b []byte) []byte {
					if len(b) < 5 {
						return b
					}
					return b[5:]
				},
			}
		},
		extra: func(t *testing.T, p pair, res *result) {
			if err := rr.compareSubjects(p.debezium, p.sluice, res); err != nil {
				t.Errorf("comparing the registered schemas: %v", err)
			}
		},
	}
}

// registryReader reads schemas from the Confluent-compatible API, caching
// them by id.
type registryReader struct {
	base string
	mu   sync.Mutex
	byID map[uint32]*writerSchema
}

type writerSchema struct {
	parsed   any // the schema's JSON
	names    map[string]any
	codec    *goavro.Codec
	subjects []subjectVersion
	err      error
}

type subjectVersion struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

func (rr *registryReader) get(path string, out any) error {
	cl := http.Client{Timeout: 10 * time.Second}
	resp, err := cl.Get(rr.base + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return nil
}

func (rr *registryReader) schema(id uint32) *writerSchema {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if ws := rr.byID[id]; ws != nil {
		return ws
	}
	if rr.byID == nil {
		rr.byID = map[uint32]*writerSchema{}
	}
	ws := &writerSchema{}
	rr.byID[id] = ws
	var s struct {
		Schema string `json:"schema"`
	}
	if ws.err = rr.get(fmt.Sprintf("/schemas/ids/%d", id), &s); ws.err != nil {
		return ws
	}
	if ws.err = json.Unmarshal([]byte(s.Schema), &ws.parsed); ws.err != nil {
		return ws
	}
	ws.names = map[string]any{}
	collectNames(ws.parsed, "", ws.names)
	// Decoded without logical types: the values compared are the ones on
	// the wire (a decimal's bytes, a timestamp's long).
	plainText, _ := json.Marshal(dropLogicalTypes(ws.parsed))
	if ws.codec, ws.err = goavro.NewCodec(string(plainText)); ws.err != nil {
		return ws
	}
	ws.err = rr.get(fmt.Sprintf("/schemas/ids/%d/versions", id), &ws.subjects)
	return ws
}

// decode reads a Confluent-framed record of topic into
// {"schema": "<subject> v<version>", "payload": <value>}.
func (rr *registryReader) decode(topic string, b []byte) any {
	if len(b) < 5 || b[0] != 0 {
		return fmt.Sprintf("<not Confluent-framed: % x>", b[:min(len(b), 8)])
	}
	id := binary.BigEndian.Uint32(b[1:5])
	ws := rr.schema(id)
	if ws.err != nil {
		return fmt.Sprintf("<schema id %d: %v>", id, ws.err)
	}
	native, rest, err := ws.codec.NativeFromBinary(b[5:])
	if err != nil {
		return fmt.Sprintf("<not decodable with schema id %d: %v>", id, err)
	}
	if len(rest) > 0 {
		return fmt.Sprintf("<%d bytes left after decoding with schema id %d>", len(rest), id)
	}
	sv := "<no subject of this topic>"
	for _, s := range ws.subjects {
		if strings.HasPrefix(s.Subject, topic+"-") {
			sv = fmt.Sprintf("%s v%d", s.Subject, s.Version)
		}
	}
	return map[string]any{"schema": sv, "payload": plainValue(ws.parsed, native, "", ws.names)}
}

// collectNames records the named types of a schema by full name: a type is
// defined once and referred to by name after, and a value may hold a
// reference whose definition's own value was null.
func collectNames(s any, ns string, names map[string]any) {
	switch x := s.(type) {
	case []any:
		for _, b := range x {
			collectNames(b, ns, names)
		}
	case map[string]any:
		typ, _ := x["type"].(string)
		switch typ {
		case "record", "enum", "fixed":
			full := fullName(x["name"].(string), nsOf(x, ns))
			names[full] = x
			if typ != "record" {
				return
			}
			inner := full[:max(strings.LastIndexByte(full, '.'), 0)]
			fields, _ := x["fields"].([]any)
			for _, f := range fields {
				collectNames(f.(map[string]any)["type"], inner, names)
			}
		case "array":
			collectNames(x["items"], ns, names)
		case "map":
			collectNames(x["values"], ns, names)
		default:
			collectNames(x["type"], ns, names)
		}
	}
}

func dropLogicalTypes(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k != "logicalType" {
				out[k] = dropLogicalTypes(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = dropLogicalTypes(e)
		}
		return out
	}
	return v
}

// plainValue turns goavro's native value of schema s into the JSON-like
// value the comparison reads: unions unwrapped, bytes as base64, numbers
// as their decimal text. names holds the named types seen so far (by full
// name); ns is the enclosing namespace.
func plainValue(s any, v any, ns string, names map[string]any) any {
	if v == nil {
		return nil
	}
	switch x := s.(type) {
	case string:
		if def, ok := names[fullName(x, ns)]; ok {
			return plainValue(def, v, ns, names)
		}
		return plainPrimitive(x, v)
	case []any:
		m, ok := v.(map[string]any)
		if !ok || len(m) != 1 {
			return fmt.Sprintf("<union value %v>", v)
		}
		for branch, bv := range m {
			for _, b := range x {
				if branchName(b, ns) == branch {
					return plainValue(b, bv, ns, names)
				}
			}
			return fmt.Sprintf("<union branch %s not in the schema>", branch)
		}
	case map[string]any:
		typ, _ := x["type"].(string)
		switch typ {
		case "record":
			full := fullName(x["name"].(string), nsOf(x, ns))
			inner := full[:max(strings.LastIndexByte(full, '.'), 0)]
			rv, _ := v.(map[string]any)
			out := map[string]any{}
			fields, _ := x["fields"].([]any)
			for _, f := range fields {
				fm := f.(map[string]any)
				n := fm["name"].(string)
				out[n] = plainValue(fm["type"], rv[n], inner, names)
			}
			return out
		case "enum", "fixed":
			if typ == "fixed" {
				return plainPrimitive("bytes", v)
			}
			return v
		case "array":
			a, _ := v.([]any)
			out := make([]any, len(a))
			for i, e := range a {
				out[i] = plainValue(x["items"], e, ns, names)
			}
			return out
		case "map":
			m, _ := v.(map[string]any)
			out := map[string]any{}
			for k, e := range m {
				out[k] = plainValue(x["values"], e, ns, names)
			}
			return out
		default:
			return plainValue(x["type"], v, ns, names)
		}
	}
	return v
}

func plainPrimitive(typ string, v any) any {
	switch x := v.(type) {
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case float32:
		return json.Number(strconv.FormatFloat(float64(x), 'g', -1, 32))
	case float64:
		return json.Number(strconv.FormatFloat(x, 'g', -1, 64))
	case int32:
		return json.Number(strconv.FormatInt(int64(x), 10))
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	}
	return v
}

func nsOf(x map[string]any, ns string) string {
	if n, ok := x["namespace"].(string); ok {
		return n
	}
	return ns
}

func fullName(name, ns string) string {
	if strings.Contains(name, ".") || ns == "" {
		return name
	}
	return ns + "." + name
}

// branchName is the name goavro gives a union branch.
func branchName(b any, ns string) string {
	switch x := b.(type) {
	case string:
		switch x {
		case "null", "boolean", "int", "long", "float", "double", "bytes", "string":
			return x
		}
		return fullName(x, ns)
	case map[string]any:
		typ, _ := x["type"].(string)
		switch typ {
		case "record", "enum", "fixed":
			return fullName(x["name"].(string), nsOf(x, ns))
		}
		return typ
	}
	return ""
}

// compareSubjects compares the subjects of Debezium's topics (prefix dp)
// with Sluice's (sp): the same subjects, the same number of versions, and
// each version's schema field by field.
func (rr *registryReader) compareSubjects(dp, sp string, res *result) error {
	// Apicurio lists at most 1,000 subjects unless asked for more (its
	// apicurio.ccompat.max-subjects), and a registry that ran earlier
	// side-by-side runs holds more: a pair's subjects would go missing.
	const most = 1_000_000
	var all []string
	if err := rr.get(fmt.Sprintf("/subjects?limit=%d", most), &all); err != nil {
		return err
	}
	if len(all) >= most {
		return fmt.Errorf("the registry lists %d subjects, as many as asked for: some may be missing", len(all))
	}
	mine := func(s, px string) bool { return strings.HasPrefix(s, px+".") || strings.HasPrefix(s, px+"-") }
	names := map[string][2]string{}
	for _, s := range all {
		switch {
		case mine(s, dp):
			n := sp + strings.TrimPrefix(s, dp)
			e := names[n]
			e[0] = s
			names[n] = e
		case mine(s, sp):
			e := names[s]
			e[1] = s
			names[s] = e
		}
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		pairOf := names[n]
		short := strings.TrimPrefix(n, sp)
		class, side := "data", "value"
		if strings.HasSuffix(n, "-key") {
			side = "key"
		}
		if strings.TrimSuffix(strings.TrimSuffix(n, "-key"), "-value") == sp {
			class = "schema-change"
		}
		kind := "registry " + class + " " + side
		switch {
		case pairOf[0] == "":
			res.add(kind+" subject only in sluice", short)
			continue
		case pairOf[1] == "":
			res.add(kind+" subject only in debezium", short)
			continue
		}
		var dv, sv []int
		if err := rr.get("/subjects/"+url.PathEscape(pairOf[0])+"/versions", &dv); err != nil {
			return err
		}
		if err := rr.get("/subjects/"+url.PathEscape(pairOf[1])+"/versions", &sv); err != nil {
			return err
		}
		if len(dv) != len(sv) {
			res.add(kind+" versions", fmt.Sprintf("%s: debezium %d, sluice %d", short, len(dv), len(sv)))
		}
		for i := 0; i < len(dv) && i < len(sv); i++ {
			ds, err := rr.version(pairOf[0], dv[i])
			if err != nil {
				return err
			}
			ss, err := rr.version(pairOf[1], sv[i])
			if err != nil {
				return err
			}
			d := schemaTree(parse([]byte(strings.ReplaceAll(ds, dp, sp))))
			s := schemaTree(parse([]byte(ss)))
			where := fmt.Sprintf("%s v%d", short, sv[i])
			diff("schema", d, s, func(path string, a, b any) {
				k := kind + " " + path
				if strings.HasSuffix(path, "(names in order)") {
					k += " in " + tableOf(strings.TrimSuffix(strings.TrimSuffix(short, "-key"), "-value"))
				}
				res.add(k, fmt.Sprintf("debezium %s, sluice %s (%s)", show(a), show(b), where))
			})
		}
	}
	return nil
}

func (rr *registryReader) version(subject string, v int) (string, error) {
	var out struct {
		Schema string `json:"schema"`
	}
	err := rr.get(fmt.Sprintf("/subjects/%s/versions/%d", url.PathEscape(subject), v), &out)
	return out.Schema, err
}

// schemaTree makes an Avro schema's unions objects keyed by branch index,
// so that the comparison walks into them (records inside a ["null", …]
// union are compared field by field, not as one value).
func schemaTree(v any) any {
	switch x := v.(type) {
	case []any:
		m := map[string]any{}
		for i, e := range x {
			m[strconv.Itoa(i)] = schemaTree(e)
		}
		return m
	case map[string]any:
		for k, e := range x {
			switch k {
			case "fields":
				if fs, ok := e.([]any); ok {
					for i, f := range fs {
						fs[i] = schemaTree(f)
					}
				}
			case "type", "items", "values":
				x[k] = schemaTree(e)
			}
		}
	}
	return v
}
