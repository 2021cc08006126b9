import java.io.*;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
// Writes maskhash_golden.tsv: java MaskHashGolden.java > maskhash_golden.tsv (JDK 17+).
// Hashes as Debezium 3.5's MaskStrings.HashValueConverter does (V1: ObjectOutputStream
// without a flush, as there; V2: the bytes), salt and V2 bytes in UTF-8.
public class MaskHashGolden {
  static String hex(byte[] b){StringBuilder s=new StringBuilder();for(byte x:b)s.append(String.format("%02x",x));return s.toString();}
  public static void main(String[] a) throws Exception {
    String[] vals={"", "hello", "héllo wörld", "nul\u0000byte", "emoji \uD83D\uDE00!", "x".repeat(70000)};
    String[][] algs={{"SHA-256","CzQMA0cB5K"},{"MD5","s.a.l.t"},{"SHA3-256","salt"},{"sha512/256","x"}};
    for (String[] al: algs) for (String v: vals) for (int ver=1; ver<=2; ver++) {
      MessageDigest md=MessageDigest.getInstance(al[0]); md.update(al[1].getBytes(StandardCharsets.UTF_8));
      byte[] bytes;
      if (ver==1){ByteArrayOutputStream bos=new ByteArrayOutputStream(); ObjectOutput o=new ObjectOutputStream(bos); o.writeObject(v); bytes=bos.toByteArray();}
      else bytes=v.getBytes(StandardCharsets.UTF_8);
      String name = v.length()>20 ? "x*70000" : v;
      System.out.println(al[0]+"\t"+al[1]+"\t"+ver+"\t"+name.replace("\u0000","\\x00")+"\t"+hex(md.digest(bytes)));
    }
  }
}
