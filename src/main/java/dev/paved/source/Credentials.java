package dev.paved.source;

import java.nio.file.Path;

/**
 * Where the credentials of a remote come from: environment variables and files, never inline
 * secrets (only the user name, which is no secret, may be given as is). They are read at each
 * fetch or push, so a rotated token or key file is picked up without a restart.
 *
 * <ul>
 *   <li>https with a token: {@code tokenEnv} or {@code tokenFile}; the user name defaults to
 *       {@code x-access-token} (GitHub; GitLab and Gitea accept any name with a token).
 *   <li>https with a password: {@code passwordEnv} or {@code passwordFile}, and a user name
 *       ({@code username} or {@code usernameEnv}).
 *   <li>ssh: {@code sshKeyFile} (an unencrypted private key, OpenSSH or PEM format) and
 *       {@code knownHostsFile}; when unset, {@code ~/.ssh/id_*} and {@code ~/.ssh/known_hosts}.
 *       Unknown host keys are refused.
 * </ul>
 *
 * <p>Build with {@link #none()} and the {@code with...} methods. Every field may be null.
 */
public record Credentials(
    String username,
    String usernameEnv,
    String passwordEnv,
    Path passwordFile,
    String tokenEnv,
    Path tokenFile,
    Path sshKeyFile,
    Path knownHostsFile) {

  private static final Credentials NONE = new Credentials(null, null, null, null, null, null, null, null);

  public Credentials {
    username = blankToNull(username);
    usernameEnv = blankToNull(usernameEnv);
    passwordEnv = blankToNull(passwordEnv);
    tokenEnv = blankToNull(tokenEnv);
    if (username != null && usernameEnv != null) {
      throw new IllegalArgumentException("give the git user name either as is or as an environment variable, not both");
    }
    if (passwordEnv != null && passwordFile != null) {
      throw new IllegalArgumentException("give the git password either in an environment variable or in a file, not both");
    }
    if (tokenEnv != null && tokenFile != null) {
      throw new IllegalArgumentException("give the git token either in an environment variable or in a file, not both");
    }
    if ((passwordEnv != null || passwordFile != null) && (tokenEnv != null || tokenFile != null)) {
      throw new IllegalArgumentException("give either a git password or a token, not both");
    }
  }

  /** No credentials: anonymous https, the default ssh keys. */
  public static Credentials none() {
    return NONE;
  }

  public Credentials withUsername(String value) {
    return new Credentials(value, usernameEnv, passwordEnv, passwordFile, tokenEnv, tokenFile, sshKeyFile, knownHostsFile);
  }

  public Credentials withUsernameEnv(String variable) {
    return new Credentials(username, variable, passwordEnv, passwordFile, tokenEnv, tokenFile, sshKeyFile, knownHostsFile);
  }

  public Credentials withPasswordEnv(String variable) {
    return new Credentials(username, usernameEnv, variable, passwordFile, tokenEnv, tokenFile, sshKeyFile, knownHostsFile);
  }

  public Credentials withPasswordFile(Path file) {
    return new Credentials(username, usernameEnv, passwordEnv, file, tokenEnv, tokenFile, sshKeyFile, knownHostsFile);
  }

  public Credentials withTokenEnv(String variable) {
    return new Credentials(username, usernameEnv, passwordEnv, passwordFile, variable, tokenFile, sshKeyFile, knownHostsFile);
  }

  public Credentials withTokenFile(Path file) {
    return new Credentials(username, usernameEnv, passwordEnv, passwordFile, tokenEnv, file, sshKeyFile, knownHostsFile);
  }

  public Credentials withSshKeyFile(Path file) {
    return new Credentials(username, usernameEnv, passwordEnv, passwordFile, tokenEnv, tokenFile, file, knownHostsFile);
  }

  public Credentials withKnownHostsFile(Path file) {
    return new Credentials(username, usernameEnv, passwordEnv, passwordFile, tokenEnv, tokenFile, sshKeyFile, file);
  }

  /** Whether a user name/password or token is configured (for https). */
  public boolean hasHttpSecret() {
    return passwordEnv != null || passwordFile != null || tokenEnv != null || tokenFile != null;
  }

  /** Names where each secret comes from, never a value (for logs and status). */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Credentials[");
    append(b, "username", username);
    append(b, "usernameEnv", usernameEnv);
    append(b, "passwordEnv", passwordEnv);
    append(b, "passwordFile", passwordFile);
    append(b, "tokenEnv", tokenEnv);
    append(b, "tokenFile", tokenFile);
    append(b, "sshKeyFile", sshKeyFile);
    append(b, "knownHostsFile", knownHostsFile);
    return b.append(']').toString();
  }

  private static void append(StringBuilder b, String name, Object value) {
    if (value != null) {
      b.append(b.charAt(b.length() - 1) == '[' ? "" : ", ").append(name).append('=').append(value);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
