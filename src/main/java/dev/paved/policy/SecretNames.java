package dev.paved.policy;

import java.util.List;
import java.util.Locale;

/**
 * Which variable names look secret: the last {@code _}-separated word (or last two joined)
 * is one of a list of words ({@code DB_PASSWORD}, {@code API_KEY}, {@code AUTH_TOKEN}; but
 * not {@code CACHE_KEY_PREFIX} or {@code PASSWORD_FILE}). Shared by the
 * {@code no-secret-literals} rule and by masking in diffs.
 */
public final class SecretNames {

  public static final List<String> DEFAULT_WORDS = List.of("PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "SECRET",
      "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY");

  private SecretNames() {}

  public static boolean looksSecret(String name) {
    return looksSecret(name, DEFAULT_WORDS);
  }

  public static boolean looksSecret(String name, List<String> words) {
    String[] parts = name.toUpperCase(Locale.ROOT).split("_");
    String last = parts[parts.length - 1];
    String lastTwo = parts.length > 1 ? parts[parts.length - 2] + last : last;
    return words.contains(last) || words.contains(lastTwo);
  }
}
