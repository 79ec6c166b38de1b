package dev.paved.apply;

import dev.paved.desired.ObjectKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The compact encoding of an inventory's objects, pure: the {@link Inventory#encode() lines}
 * (sorted, so neighbours share most of their text), gzip'ed, base64'ed (a ConfigMap's {@code
 * binaryData}), cut into shards of at most a given number of base64 characters each. A shard
 * holds whole lines. Measured with the engine benchmark's keys ({@code
 * apps/v1|Deployment|payments-production|svc-1234}): 3.5 bytes per object, about 148,000
 * objects in a 512 KiB shard, so 100,000 objects (25,000 services) fit in one ({@code
 * InventoryShardsTest}).
 */
public final class InventoryShards {

  private InventoryShards() {}

  /** The shards of {@code objects}, in order, each at most {@code maxChars} of base64. */
  public static List<String> encode(Set<ObjectKey> objects, int maxChars) {
    List<ObjectKey> all = new ArrayList<>(new java.util.TreeSet<>(objects));
    List<String> out = new ArrayList<>();
    split(all, maxChars, out);
    return out;
  }

  private static void split(List<ObjectKey> objects, int maxChars, List<String> out) {
    String encoded = gzipBase64(Inventory.encode(objects));
    if (encoded.length() <= maxChars || objects.size() <= 1) {
      if (encoded.length() > maxChars) {
        throw new IllegalArgumentException("one inventory line does not fit in a shard of " + maxChars + " bytes");
      }
      out.add(encoded);
      return;
    }
    // Compression is even across sorted keys: cut into as many parts as the size asks, plus one.
    int parts = Math.min(objects.size(), encoded.length() / maxChars + 1);
    int per = (objects.size() + parts - 1) / parts;
    for (int from = 0; from < objects.size(); from += per) {
      split(objects.subList(from, Math.min(objects.size(), from + per)), maxChars, out);
    }
  }

  /** The objects of one shard; throws {@link IllegalArgumentException} when it is not one. */
  public static Set<ObjectKey> decode(String shard) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(shard)))) {
      return Inventory.decode(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed inventory shard: " + e.getMessage(), e);
    }
  }

  /** A short content hash (names a shard, so that equal content has an equal name). */
  public static String hash(String... parts) {
    try {
      var digest = java.security.MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        digest.update(p.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 5);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String gzipBase64(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
      gz.write(text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }
}
