// ConnectGolden prints what Kafka Connect's own JsonConverter and
// SimpleHeaderConverter write for the cases that golden_test.go (jsonconv)
// and header_test.go rebuild in Go. It is not part of the build; regenerate
// connect.golden with a Kafka Connect classpath (connect-json, connect-api,
// kafka-clients, jackson-databind/core/annotations, jackson-module-blackbird,
// jackson-datatype-jdk8, slf4j-api):
//
//	javac -cp 'lib/*' -d out ConnectGolden.java
//	java -cp 'lib/*:out' ConnectGolden > connect.golden
//
// Output lines: <case>\t<mode>\t<bytes as UTF-8>. Modes: plain
// (schemas.enable=false), schema (schemas.enable=true), numeric
// (schemas.enable=false, decimal.format=NUMERIC), header
// (SimpleHeaderConverter).
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.*;

import org.apache.kafka.connect.data.*;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

public class ConnectGolden {
    static JsonConverter plain = conv(false, "BASE64");
    static JsonConverter schema = conv(true, "BASE64");
    static JsonConverter numeric = conv(false, "NUMERIC");
    static SimpleHeaderConverter header = new SimpleHeaderConverter();

    static JsonConverter conv(boolean schemas, String decimal) {
        JsonConverter c = new JsonConverter();
        Map<String, Object> cfg = new HashMap<>();
        cfg.put("schemas.enable", Boolean.toString(schemas));
        cfg.put("decimal.format", decimal);
        c.configure(cfg, false);
        return c;
    }

    static void json(String name, Schema s, Object v) {
        out(name, "plain", plain.fromConnectData("t", s, v));
        out(name, "schema", schema.fromConnectData("t", s, v));
        out(name, "numeric", numeric.fromConnectData("t", s, v));
    }

    static void hdr(String name, Schema s, Object v) {
        out(name, "header", header.fromConnectHeader("t", "h", s, v));
    }

    static void out(String name, String mode, byte[] b) {
        System.out.print(name + "\t" + mode + "\t");
        System.out.write(b, 0, b.length);
        System.out.print("\n");
        System.out.flush();
    }

    static Schema dec(int scale, boolean optional) {
        SchemaBuilder b = Decimal.builder(scale).parameter("connect.decimal.precision", "10");
        return optional ? b.optional().build() : b.build();
    }

    public static void main(String[] args) {
        json("int8", Schema.INT8_SCHEMA, (byte) -128);
        json("int16", Schema.INT16_SCHEMA, (short) 32767);
        json("int32", Schema.INT32_SCHEMA, Integer.MIN_VALUE);
        json("int64", Schema.INT64_SCHEMA, Long.MAX_VALUE);
        float[] floats = {1.1f, 1e10f, Float.MIN_VALUE, Float.MAX_VALUE, 0.1f, 16777216f, 3.0e-5f, 100f, 1.0e-3f, 1234567.9f, -2.5f};
        for (int i = 0; i < floats.length; i++)
            json("float" + i, Schema.FLOAT32_SCHEMA, floats[i]);
        double[] doubles = {1.5, 1.0, 1e10, 1e7, 9999999.0, 0.001, 0.0001, -0.0, 0.1 + 0.2, Double.MAX_VALUE,
            Double.MIN_VALUE, 1e23, 2e-3, Math.PI, 9.223372036854776E18, 123456.789, -1.25e-8, 1e21, 5e-324, 4.35,
            Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int i = 0; i < doubles.length; i++)
            json("double" + i, Schema.FLOAT64_SCHEMA, doubles[i]);
        json("boolean", Schema.BOOLEAN_SCHEMA, true);
        json("string", Schema.STRING_SCHEMA, "q\"b\\s/\n\r\t\b\f\u0000\u0001\u001f\u007f é€\uD83D\uDE00\u2028");
        json("bytes", Schema.BYTES_SCHEMA, new byte[]{0, 1, 2, (byte) 0xfb, (byte) 0xff});
        json("bytes-empty", Schema.BYTES_SCHEMA, new byte[0]);

        Object[][] decimals = {
            {2, "123.45"}, {2, "12.34"}, {2, "1.50"}, {2, "-0.01"}, {2, "-123.45"}, {10, "0E-10"}, {10, "1E-10"},
            {6, "0.000001"}, {8, "1.5E-7"}, {0, "12345"}, {4, "1844674407370955.1615"},
            {0, "-18446744073709551615"}, {0, "-9223372036854775808"}, {2, "0.00"}, {3, "-1.000"},
        };
        for (int i = 0; i < decimals.length; i++) {
            int scale = (Integer) decimals[i][0];
            json("decimal" + i, dec(scale, false), new BigDecimal((String) decimals[i][1]).setScale(scale));
        }

        json("array", SchemaBuilder.array(Schema.INT32_SCHEMA).build(), Arrays.asList(1, 2, 3));
        json("array-optional", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build(), Arrays.asList("a", null));
        Map<String, Long> sm = new LinkedHashMap<>();
        sm.put("a", 1L);
        sm.put("b\"", null);
        json("map-string", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT64_SCHEMA).build(), sm);
        Map<Integer, String> im = new LinkedHashMap<>();
        im.put(1, "x");
        im.put(2, "y");
        json("map-int", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(), im);

        Schema r = SchemaBuilder.struct().name("r")
            .field("a", Schema.INT32_SCHEMA).field("b", Schema.OPTIONAL_STRING_SCHEMA).field("c", dec(1, true)).build();
        json("struct", r, new Struct(r).put("a", 1).put("c", new BigDecimal("1.5")));

        Schema attrs = SchemaBuilder.string().optional().name("io.debezium.data.Enum").version(1).doc("the \"kind\"")
            .parameter("allowed", "a,b").parameter("x", "1").parameter("allowed", "a,b,c").defaultValue("a").build();
        json("attrs", attrs, "b");

        Schema nd = SchemaBuilder.struct().name("r")
            .field("a", SchemaBuilder.int32().optional().defaultValue(7).build())
            .field("b", SchemaBuilder.string().defaultValue("dflt").build()).build();
        json("null-default", nd, new Struct(nd));

        // Debezium MySQL envelope, as jsonconv's newEnvelopeFixture builds it.
        Schema key = SchemaBuilder.struct().name("dbserver1.inventory.customers.Key").field("id", Schema.INT32_SCHEMA).build();
        Schema row = SchemaBuilder.struct().name("dbserver1.inventory.customers.Value").optional()
            .field("id", Schema.INT32_SCHEMA)
            .field("first_name", Schema.STRING_SCHEMA)
            .field("last_name", Schema.STRING_SCHEMA)
            .field("email", Schema.STRING_SCHEMA)
            .field("age", SchemaBuilder.int16().optional().defaultValue((short) 18).build())
            .field("balance", dec(2, true))
            .field("score", Schema.OPTIONAL_FLOAT64_SCHEMA)
            .field("active", Schema.BOOLEAN_SCHEMA)
            .field("birth_date", SchemaBuilder.int32().optional().name("io.debezium.time.Date").version(1).build())
            .field("created_at", SchemaBuilder.string().optional().name("io.debezium.time.ZonedTimestamp").version(1).build())
            .build();
        Schema source = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
            .field("version", Schema.STRING_SCHEMA)
            .field("connector", Schema.STRING_SCHEMA)
            .field("name", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.INT64_SCHEMA)
            .field("snapshot", SchemaBuilder.string().optional().name("io.debezium.data.Enum").version(1)
                .parameter("allowed", "true,first,first_in_data_collection,last_in_data_collection,last,false,incremental")
                .defaultValue("false").build())
            .field("db", Schema.STRING_SCHEMA)
            .field("sequence", Schema.OPTIONAL_STRING_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .field("table", Schema.OPTIONAL_STRING_SCHEMA)
            .field("server_id", Schema.INT64_SCHEMA)
            .field("gtid", Schema.OPTIONAL_STRING_SCHEMA)
            .field("file", Schema.STRING_SCHEMA)
            .field("pos", Schema.INT64_SCHEMA)
            .field("row", Schema.INT32_SCHEMA)
            .field("thread", Schema.OPTIONAL_INT64_SCHEMA)
            .field("query", Schema.OPTIONAL_STRING_SCHEMA)
            .build();
        Schema block = SchemaBuilder.struct().optional().name("event.block").version(1)
            .field("id", Schema.STRING_SCHEMA)
            .field("total_order", Schema.INT64_SCHEMA)
            .field("data_collection_order", Schema.INT64_SCHEMA)
            .build();
        Schema env = SchemaBuilder.struct().name("dbserver1.inventory.customers.Envelope").version(2)
            .field("before", row).field("after", row).field("source", source).field("transaction", block)
            .field("op", Schema.STRING_SCHEMA)
            .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_us", Schema.OPTIONAL_INT64_SCHEMA)
            .field("ts_ns", Schema.OPTIONAL_INT64_SCHEMA)
            .build();
        Struct after = new Struct(row).put("id", 1004).put("first_name", "Anne").put("last_name", "Kretchmar")
            .put("email", "annek@noanswer.org").put("balance", new BigDecimal("123.45")).put("score", 4.5)
            .put("active", true).put("birth_date", 19000).put("created_at", "2024-01-02T03:04:05Z");
        Struct src = new Struct(source).put("version", "3.0.0.Final").put("connector", "mysql").put("name", "dbserver1")
            .put("ts_ms", 1700000000000L).put("snapshot", "false").put("db", "inventory")
            .put("ts_us", 1700000000000000L).put("ts_ns", 1700000000000000000L).put("table", "customers")
            .put("server_id", 223344L).put("gtid", "0-1-48").put("file", "mysql-bin.000003").put("pos", 154L)
            .put("row", 0).put("thread", 7L);
        Struct e = new Struct(env).put("after", after).put("source", src).put("op", "c")
            .put("ts_ms", 1700000000123L).put("ts_us", 1700000000123456L).put("ts_ns", 1700000000123456789L);
        json("envelope", env, e);
        json("key", key, new Struct(key).put("id", 1004));

        // SimpleHeaderConverter.
        hdr("h-key", key, new Struct(key).put("id", 1004));
        hdr("h-string", Schema.STRING_SCHEMA, "a\"b\\c é");
        hdr("h-int", Schema.INT64_SCHEMA, -42L);
        hdr("h-double", Schema.FLOAT64_SCHEMA, 1e10);
        hdr("h-float", Schema.FLOAT32_SCHEMA, 1.1f);
        hdr("h-bool", Schema.BOOLEAN_SCHEMA, false);
        hdr("h-bytes", Schema.BYTES_SCHEMA, new byte[]{0, 1, 2, (byte) 0xfb, (byte) 0xff});
        hdr("h-decimal", dec(10, false), new BigDecimal("0E-10"));
        hdr("h-decimal2", dec(2, false), new BigDecimal("-123.45"));
        hdr("h-array", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build(), Arrays.asList("a\"", null, "b"));
        Map<String, Integer> hm = new LinkedHashMap<>();
        hm.put("k1", 1);
        hm.put("k\\2", null);
        hdr("h-map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA).build(), hm);
        Map<Integer, String> hm2 = new LinkedHashMap<>();
        hm2.put(1, "x");
        hdr("h-map-int", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(), hm2);
        Schema inner = SchemaBuilder.struct().name("inner").optional().field("x", Schema.FLOAT64_SCHEMA).build();
        Schema hs = SchemaBuilder.struct().name("hs")
            .field("id", Schema.INT32_SCHEMA)
            .field("name", Schema.OPTIONAL_STRING_SCHEMA)
            .field("dflt", SchemaBuilder.string().optional().defaultValue("d").build())
            .field("nul", Schema.OPTIONAL_INT64_SCHEMA)
            .field("raw", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("amount", dec(2, true))
            .field("f", Schema.OPTIONAL_FLOAT32_SCHEMA)
            .field("flag", Schema.OPTIONAL_BOOLEAN_SCHEMA)
            .field("inner", inner)
            .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).optional().build())
            .field("day", org.apache.kafka.connect.data.Date.builder().optional().build())
            .field("tod", org.apache.kafka.connect.data.Time.builder().optional().build())
            .field("ts", org.apache.kafka.connect.data.Timestamp.builder().optional().build())
            .field("ts_day", org.apache.kafka.connect.data.Timestamp.builder().optional().build())
            .field("ts_old", org.apache.kafka.connect.data.Timestamp.builder().optional().build())
            .build();
        Struct hv = new Struct(hs).put("id", 7).put("name", "O'Brien \"Bob\" \\").put("raw", new byte[]{1, 2, 3})
            .put("amount", new BigDecimal("-0.50")).put("f", 0.1f).put("flag", true)
            .put("inner", new Struct(inner).put("x", 2.0)).put("tags", Arrays.asList("a", "b"))
            .put("day", new java.util.Date(19000L * 86400000L)).put("tod", new java.util.Date(3723004L))
            .put("ts", new java.util.Date(1700000000123L)).put("ts_day", new java.util.Date(19000L * 86400000L))
            .put("ts_old", new java.util.Date(-1000L));
        hdr("h-struct", hs, hv);
        hdr("h-date", org.apache.kafka.connect.data.Date.SCHEMA, new java.util.Date(19000L * 86400000L));
        hdr("h-ts", org.apache.kafka.connect.data.Timestamp.SCHEMA, new java.util.Date(1700000000123L));
    }
}
