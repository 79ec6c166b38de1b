package dev.paved.server;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a named API token may do ({@code permissions:} in the tokens file). Each write endpoint
 * requires one; the read endpoints (status, services, catalog, audit) require {@link #READ}.
 */
public enum Permission {
  /** {@code GET /api/v1/status}, {@code /api/v1/services/...}, {@code /api/v1/catalog}, {@code /api/v1/audit}. */
  READ,
  /** {@code POST /api/v1/repos/{name}/refresh}. */
  REFRESH,
  /** {@code POST /api/v1/repos/{name}/revert}. */
  REVERT,
  /** {@code POST /api/v1/repos/{name}/accept-head}: apply a rewritten history. */
  ACCEPT_HEAD;

  /** The name in the tokens file and in messages: {@code read}, {@code refresh}, {@code revert}, {@code accept-head}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static Optional<Permission> of(String id) {
    return Arrays.stream(values()).filter(p -> p.id().equals(id)).findFirst();
  }
}
