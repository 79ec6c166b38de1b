package dev.paved.secret;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it leaves the process. Two kinds:
 *
 * <ul>
 *   <li>known values: every secret Paved reads (a git token or password, a webhook secret, an
 *       API token, a kubeconfig token, password or key) is {@link #register registered} when it
 *       is read, and any occurrence of it becomes {@value #MASK};
 *   <li>shapes that are secret whatever their value: the user-info of a URL
 *       ({@code https://TOKEN@host}, {@code https://user:pass@host}; for ssh URLs only a
 *       password, the user name {@code git@} stays), an {@code Authorization} header or
 *       {@code Bearer}/{@code Basic} credential, a private key block (PEM, OpenSSH, OpenPGP), and
 *       {@code token:}, {@code password:}, {@code client-key-data:} fields.
 * </ul>
 *
 * <p>Process-wide and thread-safe. Values shorter than {@value #MIN_LENGTH} characters are not
 * registered (they would mask ordinary words); a secret that short is refused where it is read.
 */
public final class Scrubber {

  /** What a removed secret becomes. */
  public static final String MASK = "***";
  /** Registered values shorter than this are ignored. */
  public static final int MIN_LENGTH = 4;

  private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();
  /** {@link #KNOWN}, longest first (a secret containing another is masked whole); rebuilt on change. */
  private static volatile List<String> ordered = List.of();

  /** {@code ://}, also as a JSON encoder may write it ({@code :\/\/}). */
  private static final String SLASHES = ":(?:\\\\?/){2}";
  private static final Pattern URL_USERINFO = Pattern.compile(
      "\\b((?!(?:ssh|git\\+ssh|ssh\\+git)" + SLASHES + ")[a-zA-Z][a-zA-Z0-9+.-]*" + SLASHES + ")[^/\\\\@\\s\"'<>]+@");
  private static final Pattern SSH_PASSWORD = Pattern.compile(
      "\\b((?:ssh|git\\+ssh|ssh\\+git)" + SLASHES + "[^/\\\\@:\\s\"'<>]+):[^/\\\\@\\s\"'<>]+@");
  private static final Pattern AUTHORIZATION = Pattern.compile(
      "(?i)(\\b(?:proxy-)?authorization\"?\\s*[:=]\\s*\"?)(?:(bearer|basic|token|digest)\\s+)?"
          + "(?!(?:bearer|basic|token|digest)\\b)(?!<)[^\\s\",}]{6,}");
  /** A credential after its scheme word: at least 8 characters, one of them not a letter (not prose). */
  private static final Pattern SCHEME_CREDENTIAL = Pattern.compile(
      "(?i)\\b(bearer|basic)\\s+(?=[A-Za-z0-9._~+/=-]{8,})[A-Za-z]*[0-9._~+/=-][A-Za-z0-9._~+/=-]*");
  private static final Pattern KEY_BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----[\\s\\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\\z)");
  private static final Pattern SECRET_FIELD = Pattern.compile(
      "(?i)((?<![\\w-])\"?(?:token|password|passwd|secret|client-key-data|client-key|id-token|refresh-token"
          + "|access-token|private-key)\"?\\s*[:=]\\s*)(\"?)(?!<)[^\\s\",}]{6,}");
  /** Cheap tests that spare the regular expressions on text that cannot match them. */
  private static final String[] HINTS = {"://", ":\\/\\/", "uthorization", "UTHORIZATION", "earer", "EARER", "asic", "ASIC",
      "-----BEGIN", "oken", "OKEN", "assw", "ASSW", "ecret", "ECRET", "ey-data", "EY-DATA", "rivate-key", "client-key"};

  private Scrubber() {}

  /**
   * Records {@code secret} as a value never to print; returns it, for reading and registering in
   * one step ({@code String token = Scrubber.register(Files.readString(f).strip())}). Its
   * stripped form and its form inside a JSON string are registered too. Null and values shorter than {@value #MIN_LENGTH} are ignored.
   */
  public static String register(String secret) {
    if (secret != null) {
      boolean changed = false;
      String stripped = secret.strip();
      // as the value is written inside a JSON string (the status API, API responses)
      String json = stripped.replace("\\", "\\\\").replace("\"", "\\\"");
      for (String s : new String[] {secret, stripped, json, json.replace("/", "\\/")}) {
        if (s.length() >= MIN_LENGTH && KNOWN.add(s)) {
          changed = true;
        }
      }
      if (changed) {
        synchronized (Scrubber.class) {
          List<String> list = new ArrayList<>(KNOWN);
          list.sort(Comparator.comparingInt(String::length).reversed());
          ordered = List.copyOf(list);
        }
      }
    }
    return secret;
  }

  /** {@code text} with every registered value and every secret-shaped part replaced; null stays null. */
  public static String scrub(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : ordered) {
      if (out.contains(s)) {
        out = out.replace(s, MASK);
      }
    }
    if (!hinted(out)) {
      return out;
    }
    out = KEY_BLOCK.matcher(out).replaceAll("[$1 removed]");
    out = URL_USERINFO.matcher(out).replaceAll("$1" + MASK + "@");
    out = SSH_PASSWORD.matcher(out).replaceAll("$1:" + MASK + "@");
    out = replace(AUTHORIZATION, out, m -> m.group(1) + (m.group(2) == null ? "" : m.group(2) + " ") + MASK);
    out = replace(SCHEME_CREDENTIAL, out, m -> m.group(1) + " " + MASK);
    out = replace(SECRET_FIELD, out, m -> m.group(1) + m.group(2) + MASK);
    return out;
  }

  /**
   * {@code utf8} (UTF-8 text) with secrets removed as by {@link #scrub(String)}; the same array
   * when there was nothing to remove.
   */
  public static byte[] scrubUtf8(byte[] utf8) {
    if (utf8 == null || utf8.length == 0) {
      return utf8;
    }
    String text = new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
    String scrubbed = scrub(text);
    return scrubbed.equals(text) ? utf8 : scrubbed.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Whether {@code text} holds a registered value or a secret-shaped part (for tests and checks). */
  public static boolean holdsSecret(String text) {
    return text != null && !text.equals(scrub(text));
  }

  private static boolean hinted(String text) {
    for (String h : HINTS) {
      if (text.contains(h)) {
        return true;
      }
    }
    return false;
  }

  private static String replace(Pattern p, String text, java.util.function.Function<Matcher, String> with) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length());
    do {
      String replacement = m.group().contains(MASK) && m.group().endsWith(MASK) ? m.group() : with.apply(m);
      m.appendReplacement(b, Matcher.quoteReplacement(replacement));
    } while (m.find());
    m.appendTail(b);
    return b.toString();
  }
}
