// KeyOracle prints what Kafka Connect and the Java producer do with offset
// keys; key_test.go's expected values come from its output (Kafka 4.1.1).
//
//	M=~/.m2/repository   # kafka-clients, connect-api, connect-json 4.1.1,
//	                     # jackson core/databind/annotations, jackson-module-blackbird, slf4j-api
//	javac -cp "$CP" KeyOracle.java && java -cp "$CP:." KeyOracle
import java.util.*;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

public class KeyOracle {
    static String hex(byte[] b) { StringBuilder s = new StringBuilder(); for (byte x : b) s.append(String.format("%02x", x)); return s.toString(); }
    public static void main(String[] a) throws Exception {
        JsonConverter c = new JsonConverter();
        Map<String,Object> cfg = new HashMap<>();
        cfg.put("schemas.enable", "false");
        c.configure(cfg, true);
        String[][] keys = {
            {"inventory", "dbserver1"},
            {"mysql-connector", "mysql"},
            {"sluice", "prefix"},
            {"", ""},
            {"we\"ird\\name<&>\u2028\t\u0001\u00e9\uD83D\uDE00", "srv/1\n\u007f\u001f\b\f\r"},
        };
        for (String[] k : keys) {
            Map<String,Object> part = new HashMap<>();
            part.put("server", k[1]);
            byte[] key = c.fromConnectData(k[0], null, Arrays.asList(k[0], part));
            int h = Utils.murmur2(key);
            System.out.println("KEY " + hex(k[0].getBytes(StandardCharsets.UTF_8)) + " " + hex(k[1].getBytes(StandardCharsets.UTF_8)) + " bytes=" + new String(key, StandardCharsets.UTF_8).replace("\n","\\n") + " hex=" + hex(key) + " murmur2=" + h + " p25=" + BuiltInPartitioner.partitionForKey(key, 25) + " p1=" + BuiltInPartitioner.partitionForKey(key, 1) + " p7=" + BuiltInPartitioner.partitionForKey(key, 7));
        }
        String[] vec = {"21","foobar","a-little-bit-long-string","a-little-bit-longer-string","lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8","abc","", "a", "ab", "abcd", "\u00ff\u00fe\u0080"};
        for (String v : vec) System.out.println("VEC " + hex(v.getBytes(StandardCharsets.UTF_8)) + " " + Utils.murmur2(v.getBytes(StandardCharsets.UTF_8)));
        byte[] raw = {(byte)0xff,(byte)0x80,0x7f,0x00,(byte)0xc3};
        System.out.println("RAW " + hex(raw) + " " + Utils.murmur2(raw));
    }
}
