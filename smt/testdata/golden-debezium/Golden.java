// Golden generates the expected outputs of Debezium's transforms for
// Sluice's Go tests (smt/debezium_golden_test.go). It reads inputs.json
// (records as Kafka Connect JsonConverter documents) and cases.json
// (transform chains), runs each case's real transforms over its inputs and
// writes golden.json. Run it with ./regenerate.sh; the Go tests only read
// the files.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

public class Golden {
    static final ObjectMapper M = new ObjectMapper();
    static final JsonConverter JSON = new JsonConverter();

    public static void main(String[] args) throws Exception {
        JSON.configure(Map.of("schemas.enable", "true", "converter.type", "value"), false);
        JsonNode inputs = M.readTree(new File("inputs.json"));
        JsonNode cases = M.readTree(new File("cases.json"));
        ArrayNode out = M.createArrayNode();
        for (JsonNode c : cases) {
            ObjectNode result = out.addObject();
            result.put("case", c.get("name").asText());
            ArrayNode results = result.putArray("results");
            List<Transformation<SourceRecord>> chain;
            try {
                chain = build(c.get("transforms"));
            }
            catch (Exception e) {
                result.put("config_error", e.toString());
                continue;
            }
            for (JsonNode in : c.get("inputs")) {
                ObjectNode r = results.addObject();
                r.put("input", in.asText());
                try {
                    SourceRecord rec = record(inputs.get(in.asText()));
                    for (Transformation<SourceRecord> t : chain) {
                        if (rec == null) {
                            break;
                        }
                        rec = t.apply(rec);
                    }
                    if (rec == null) {
                        r.putNull("record");
                    }
                    else {
                        r.set("record", print(rec));
                    }
                }
                catch (Exception e) {
                    r.put("error", e.toString());
                }
            }
        }
        M.writerWithDefaultPrettyPrinter().writeValue(new File("golden.json"), out);
    }

    @SuppressWarnings("unchecked")
    static List<Transformation<SourceRecord>> build(JsonNode transforms) throws Exception {
        List<Transformation<SourceRecord>> chain = new ArrayList<>();
        for (JsonNode t : transforms) {
            Transformation<SourceRecord> tr = (Transformation<SourceRecord>) Class.forName(t.get("type").asText())
                    .getDeclaredConstructor().newInstance();
            Map<String, String> cfg = new HashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = t.get("config").fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                cfg.put(e.getKey(), e.getValue().asText());
            }
            tr.configure(cfg);
            chain.add(tr);
        }
        return chain;
    }

    static SchemaAndValue connect(JsonNode doc) throws Exception {
        if (doc == null || doc.isNull()) {
            return SchemaAndValue.NULL;
        }
        return JSON.toConnectData("t", M.writeValueAsBytes(doc));
    }

    static SourceRecord record(JsonNode in) throws Exception {
        SchemaAndValue key = connect(in.get("key"));
        SchemaAndValue value = connect(in.get("value"));
        ConnectHeaders headers = new ConnectHeaders();
        if (in.has("headers")) {
            for (JsonNode h : in.get("headers")) {
                SchemaAndValue hv = connect(h.get("value"));
                headers.add(h.get("key").asText(), hv);
            }
        }
        return new SourceRecord(Map.of(), Map.of(), in.get("topic").asText(), null,
                key.schema(), key.value(), value.schema(), value.value(), 1700000000000L, headers);
    }

    static JsonNode json(org.apache.kafka.connect.data.Schema s, Object v) throws Exception {
        byte[] b = JSON.fromConnectData("t", s, v);
        return b == null ? M.nullNode() : M.readTree(new String(b, StandardCharsets.UTF_8));
    }

    static ObjectNode print(SourceRecord rec) throws Exception {
        ObjectNode o = M.createObjectNode();
        o.put("topic", rec.topic());
        if (rec.kafkaPartition() == null) {
            o.putNull("partition");
        }
        else {
            o.put("partition", rec.kafkaPartition());
        }
        if (rec.timestamp() == null) {
            o.putNull("timestamp");
        }
        else {
            o.put("timestamp", rec.timestamp());
        }
        o.set("key", json(rec.keySchema(), rec.key()));
        o.set("value", json(rec.valueSchema(), rec.value()));
        ArrayNode hs = o.putArray("headers");
        for (Header h : rec.headers()) {
            ObjectNode ho = hs.addObject();
            ho.put("key", h.key());
            ho.set("value", json(h.schema(), h.value()));
        }
        return o;
    }
}
