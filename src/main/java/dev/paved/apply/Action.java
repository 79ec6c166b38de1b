package dev.paved.apply;

import java.util.Locale;

/** What happened (or would happen) to one object. */
public enum Action {
  /** The object did not exist and was created. */
  CREATED,
  /** The object existed and Paved changed fields it declares. */
  CONFIGURED,
  /**
   * The object existed without Paved's ownership mark and git marks it for adoption
   * ({@code paved.dev/adopt: "true"}): Paved applied it and owns it from now on.
   */
  ADOPTED,
  /** The object already held what Paved declares: nothing was written. */
  UNCHANGED,
  /** Pruned: in the inventory, no longer desired, owned by Paved. */
  DELETED,
  /** Left alone on purpose (e.g. not owned by Paved). */
  SKIPPED,
  /** A deletion held by the prune guard until the config allows it. */
  HELD,
  /** The apiserver refused it; the reason says why. */
  FAILED,
  /**
   * The object exists and is not this target's (unowned, or another repo's or environment's);
   * nothing was written. The reason names its field managers or its Paved owner.
   */
  CONFLICT;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
