package dev.paved.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.stream.Stream;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.signing.ssh.SigningKeyDatabase;
import org.eclipse.jgit.signing.ssh.VerificationException;

/**
 * Checks an SSH allowed-signers file (git's {@code gpg.ssh.allowedSignersFile} format) as the
 * SSH signature verifier will read it: through JGit's own {@link SigningKeyDatabase} (the parser
 * the verifier of {@code org.eclipse.jgit.ssh.apache} uses), asked whether a throw-away key is
 * allowed. A file that cannot be read, cannot be parsed (JGit names the line) or names no signer
 * is refused with a sentence saying what to do, at load time rather than at the first commit.
 */
public final class AllowedSignersFile {

  private static final String FORMAT = "each line is principals [namespaces=\"git\"] <key type> <base64 key>"
      + " (see ALLOWED SIGNERS in man ssh-keygen), e.g. alice@example.com namespaces=\"git\" ssh-ed25519 AAAA...";

  private AllowedSignersFile() {}

  /** Refuses {@code file} unless the verifier can read and parse it and it names at least one signer. */
  public static void check(Path file) throws OpenPgpKeys.InvalidKeyFileException {
    Path abs = file.toAbsolutePath().normalize();
    if (!Files.isRegularFile(abs) || !Files.isReadable(abs)) {
      throw new OpenPgpKeys.InvalidKeyFileException("the allowed-signers file " + file + " does not exist or cannot"
          + " be read; put it there (e.g. from a mounted Secret) or fix the path", null);
    }
    long signers;
    try (Stream<String> lines = Files.lines(abs, StandardCharsets.UTF_8)) {
      signers = lines.map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).count();
    } catch (IOException | java.io.UncheckedIOException e) {
      throw new OpenPgpKeys.InvalidKeyFileException("the allowed-signers file " + file + " cannot be read as UTF-8"
          + " text: " + e.getMessage() + "; " + FORMAT, e);
    }
    if (signers == 0) {
      throw new OpenPgpKeys.InvalidKeyFileException("the allowed-signers file " + file + " names no signer, so no"
          + " SSH signature would be trusted; " + FORMAT, null);
    }
    Config c = new Config();
    c.setString("gpg", null, "format", "ssh");
    c.setString("gpg", "ssh", "allowedSignersFile", abs.toString());
    try (Repository none = new InMemoryRepository(new DfsRepositoryDescription("paved-allowed-signers-check"))) {
      SigningKeyDatabase.getInstance().isAllowed(none, new GpgConfig(c), Probe.KEY, "git",
          new PersonIdent("paved", "paved@localhost"));
    } catch (VerificationException e) {
      // Parsed: the throw-away key is simply not allowed.
    } catch (IOException | RuntimeException e) {
      throw new OpenPgpKeys.InvalidKeyFileException(message(file, e), e);
    }
  }

  private static String message(Path file, Exception e) {
    StringBuilder m = new StringBuilder(e.getMessage() == null ? e.toString() : e.getMessage());
    if (e.getCause() != null && e.getCause().getMessage() != null) {
      m.append(" (").append(e.getCause().getMessage()).append(')');
    }
    String what = m.toString().replaceAll("\\p{Cntrl}+", " ").strip();
    int at = what.indexOf("problem at line"); // JGit's message names the file again before the line
    if (at > 0) {
      what = what.substring(at);
    }
    return "the allowed-signers file " + file + " cannot be parsed: " + what + "; " + FORMAT;
  }

  /** A key no file allows, made once (EC P-256: fast, and a type every verifier reads). */
  private static final class Probe {
    static final PublicKey KEY;

    static {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KEY = g.generateKeyPair().getPublic();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("EC key generation unavailable", e);
      }
    }
  }
}
