// SmtGolden runs Kafka Connect's own transforms over the cases in
// cases.json and prints what they produce (topic, key and value as
// JsonConverter writes them with schemas.enable=true, headers as
// SimpleHeaderConverter writes them, or the error) as golden.json, which
// smt's golden_test.go compares Sluice's transforms against. It is not part
// of the build or the test suite; regen.sh runs it.
import java.nio.charset.StandardCharsets;
import java.util.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.transforms.Transformation;

public class SmtGolden {
    static final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    static final JsonConverter json = new JsonConverter();
    static final SimpleHeaderConverter headers = new SimpleHeaderConverter();

    public static void main(String[] args) throws Exception {
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("schemas.enable", "true");
        cfg.put("converter.type", "value");
        json.configure(cfg);
        JsonNode root = mapper.readTree(new java.io.File(args[0]));
        ObjectNode out = mapper.createObjectNode();
        Iterator<Map.Entry<String, JsonNode>> cases = root.get("cases").fields();
        while (cases.hasNext()) {
            Map.Entry<String, JsonNode> c = cases.next();
            ObjectNode results = out.putObject(c.getKey());
            for (JsonNode in : c.getValue().get("inputs")) {
                results.set(in.asText(), run(c.getValue().get("chain"), root.get("inputs").get(in.asText())));
            }
        }
        System.out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(out));
    }

    static JsonNode run(JsonNode chain, JsonNode input) throws Exception {
        SourceRecord r = record(input);
        try {
            for (JsonNode step : chain) {
                Map<String, String> props = new HashMap<>();
                step.fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
                @SuppressWarnings("unchecked")
                Transformation<SourceRecord> t = (Transformation<SourceRecord>) Class.forName(props.remove("type")).getDeclaredConstructor().newInstance();
                t.configure(props);
                r = t.apply(r);
                if (r == null) {
                    ObjectNode n = mapper.createObjectNode();
                    n.put("dropped", true);
                    return n;
                }
            }
            return describe(r);
        } catch (Exception e) {
            ObjectNode n = mapper.createObjectNode();
            n.put("error", e.getClass().getName() + ": " + e.getMessage());
            return n;
        }
    }

    static SourceRecord record(JsonNode in) throws Exception {
        SchemaAndValue k = data(in.get("key"));
        SchemaAndValue v = data(in.get("value"));
        ConnectHeaders hs = new ConnectHeaders();
        if (in.has("headers")) {
            for (JsonNode h : in.get("headers")) {
                hs.addString(h.get(0).asText(), h.get(1).asText());
            }
        }
        Long ts = in.has("timestamp") ? in.get("timestamp").asLong() : null;
        return new SourceRecord(null, null, in.get("topic").asText(), null, k.schema(), k.value(), v.schema(), v.value(), ts, hs);
    }

    static SchemaAndValue data(JsonNode n) throws Exception {
        if (n == null || n.isNull()) {
            return SchemaAndValue.NULL;
        }
        return json.toConnectData("t", mapper.writeValueAsBytes(n));
    }

    static JsonNode describe(SourceRecord r) throws Exception {
        ObjectNode n = mapper.createObjectNode();
        n.put("topic", r.topic());
        n.set("key", encode(r.topic(), r.keySchema(), r.key()));
        n.set("value", encode(r.topic(), r.valueSchema(), r.value()));
        ArrayNode hs = n.putArray("headers");
        for (Header h : r.headers()) {
            ArrayNode a = hs.addArray();
            a.add(h.key());
            byte[] b = headers.fromConnectHeader(r.topic(), h.key(), h.schema(), h.value());
            if (b == null) {
                a.addNull();
            } else {
                a.add(new String(b, StandardCharsets.UTF_8));
            }
        }
        return n;
    }

    static JsonNode encode(String topic, org.apache.kafka.connect.data.Schema s, Object v) throws Exception {
        byte[] b = json.fromConnectData(topic, s, v);
        return b == null ? mapper.nullNode() : mapper.readTree(b);
    }
}
