package dev.paved.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.paved.config.Diagnostic;
import dev.paved.config.Kind;
import dev.paved.config.Location;
import dev.paved.config.SchemaValidator;
import dev.paved.config.YamlDocument;
import dev.paved.config.YamlReader;
import dev.paved.reconcile.DaemonConfig;
import dev.paved.reconcile.DaemonConfig.InvalidConfigException;
import dev.paved.secret.Scrubber;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The API's named tokens: each a name, the token itself or its SHA-256 ({@code sha256:<hex>}),
 * its {@link Permission}s and whether it is a trusted proxy (a chat bot, a portal) whose
 * {@code X-Paved-Actor} header is honoured. Read from the tokens file ({@code http.tokensFile},
 * kind {@code ApiTokens}, schema {@code schema/tokens.schema.json}; re-read when it changes, by
 * {@link ApiServer}); the single token of
 * {@code http.tokenFile} is {@link #single} (named {@value #DEFAULT_NAME}, every permission).
 *
 * <p>{@link #authenticate} compares the presented token with every token of the file, each in
 * constant time, and never stops at the first match: how long it takes says nothing of which
 * token (or which prefix) was close.
 */
public final class ApiTokens {

  /** The name of the token of {@code http.tokenFile}. */
  public static final String DEFAULT_NAME = "default";

  private static final Pattern HASH = Pattern.compile("sha256:([0-9a-f]{64})");
  private static final int MIN_LENGTH = 16;

  /** One named token. {@code digest} is the SHA-256 of the token; the token itself is never kept. */
  public record Token(String name, Set<Permission> permissions, boolean trustedProxy, byte[] digest) {
    public Token {
      permissions = permissions.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(permissions));
      digest = digest.clone();
    }

    public boolean may(Permission p) {
      return permissions.contains(p);
    }

    /** The permissions by their ids, sorted as declared in {@link Permission}. */
    public List<String> permissionIds() {
      return permissions.stream().sorted().map(Permission::id).toList();
    }

    @Override
    public String toString() {
      return "Token[" + name + ", " + permissionIds() + (trustedProxy ? ", trusted proxy" : "") + "]";
    }
  }

  private final List<Token> tokens;

  private ApiTokens(List<Token> tokens) {
    this.tokens = List.copyOf(tokens);
  }

  /** No token: every endpoint that needs one answers 401. */
  public static ApiTokens none() {
    return new ApiTokens(List.of());
  }

  /** The single token of {@code http.tokenFile}: named {@value #DEFAULT_NAME}, every permission, not a proxy. */
  public static ApiTokens single(String token) {
    Scrubber.register(token);
    return new ApiTokens(List.of(new Token(DEFAULT_NAME, EnumSet.allOf(Permission.class), false,
        sha256(token))));
  }

  /** Tokens built in code (tests, tools): the values are registered with the scrubber. */
  public static ApiTokens of(List<Token> tokens) {
    return new ApiTokens(tokens);
  }

  /** A token for {@link #of}: {@code token} is the secret itself. */
  public static Token token(String name, String token, boolean trustedProxy, Permission... permissions) {
    Scrubber.register(token);
    return new Token(name, permissions.length == 0 ? Set.of() : EnumSet.of(permissions[0], permissions),
        trustedProxy, sha256(token));
  }

  public boolean isEmpty() {
    return tokens.isEmpty();
  }

  public List<Token> tokens() {
    return tokens;
  }

  /** The token {@code given} is, compared with every token in constant time; empty when none. */
  public Optional<Token> authenticate(String given) {
    if (given == null || given.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = sha256(given);
    Token found = null;
    for (Token t : tokens) {
      if (MessageDigest.isEqual(digest, t.digest()) && found == null) {
        found = t;
      }
    }
    return Optional.ofNullable(found);
  }

  // ------------------------------------------------------------------ the tokens file

  /**
   * Reads the tokens file. Every problem is a {@link Diagnostic} at {@code file:line:col}; a
   * token value never appears in one (plain tokens are registered with the scrubber first).
   */
  public static ApiTokens load(Path file) throws InvalidConfigException {
    return parse(file.toString(), DaemonConfig.readFile(file, "API tokens file"));
  }

  /** The tokens file's content ({@code name}: its path, for the diagnostics); as {@link #load}. */
  public static ApiTokens parse(String name, byte[] bytes) throws InvalidConfigException {
    YamlReader.Result parsed = YamlReader.read(name, bytes);
    if (!parsed.ok()) {
      throw new InvalidConfigException(parsed.diagnostics());
    }
    if (parsed.documents().size() != 1 || !parsed.documents().get(0).tree().isObject()) {
      throw invalid(Location.ofFile(name), "one-document", "the file must hold one ApiTokens document (a YAML map)");
    }
    YamlDocument doc = parsed.documents().get(0);
    JsonNode list = doc.tree().path("tokens");
    for (JsonNode t : list) {
      String value = t.path("token").asText("");
      if (!value.isEmpty() && !HASH.matcher(value).matches()) {
        Scrubber.register(value);
      }
    }
    List<Diagnostic> problems = new ArrayList<>(SchemaValidator.instance().validate(Kind.API_TOKENS, doc));
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems);
    }
    List<Token> out = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    Map<String, Integer> digests = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode t = list.get(i);
      String tokenName = t.path("name").asText();
      Integer first = names.putIfAbsent(tokenName, i);
      if (first != null) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/tokens/" + i + "/name"), "duplicate-name",
            "token name \"" + tokenName + "\" is used twice (first at line "
                + doc.sourceMap().value("/tokens/" + first + "/name").line() + "); names must be unique"));
      }
      String value = t.path("token").asText();
      java.util.regex.Matcher hash = HASH.matcher(value);
      byte[] digest;
      if (hash.matches()) {
        digest = HexFormat.of().parseHex(hash.group(1));
      } else if (value.startsWith("sha256:")) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/tokens/" + i + "/token"), "invalid-value",
            "the token of \"" + tokenName + "\" starts with sha256: but is not 64 lower-case hex digits after it;"
                + " write sha256:$(printf %s \"$TOKEN\" | sha256sum | cut -d' ' -f1)"));
        continue;
      } else if (value.length() < MIN_LENGTH || value.chars().anyMatch(Character::isWhitespace)) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/tokens/" + i + "/token"), "invalid-value",
            "the token of \"" + tokenName + "\" must be at least " + MIN_LENGTH + " characters without spaces"
                + " (e.g. openssl rand -hex 32), or its SHA-256 as sha256:<64 hex digits>"));
        continue;
      } else {
        digest = sha256(value);
      }
      Integer same = digests.putIfAbsent(HexFormat.of().formatHex(digest), i);
      if (same != null) {
        problems.add(Diagnostic.error(doc.sourceMap().value("/tokens/" + i + "/token"), "duplicate-token",
            "\"" + tokenName + "\" has the same token as \"" + list.get(same).path("name").asText()
                + "\"; give each name its own token"));
      }
      EnumSet<Permission> permissions = EnumSet.noneOf(Permission.class);
      t.path("permissions").forEach(p -> Permission.of(p.asText()).ifPresent(permissions::add));
      out.add(new Token(tokenName, permissions, t.path("trustedProxy").asBoolean(false), digest));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(problems.stream().sorted().toList());
    }
    return new ApiTokens(out);
  }

  private static InvalidConfigException invalid(Location at, String code, String message) {
    return new InvalidConfigException(List.of(Diagnostic.error(at, code, message)));
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
