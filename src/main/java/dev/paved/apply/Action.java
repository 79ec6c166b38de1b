package dev.paved.apply;

import java.util.Locale;

/** What happened (or would happen) to one object. */
public enum Action {
  /** The object did not exist and was created. */
  CREATED,
  /** The object existed and Paved changed fields it declares. */
  CONFIGURED,
  /** The object already held what Paved declares: nothing was written. */
  UNCHANGED,
  /** Pruned: in the inventory, no longer desired, owned by Paved. */
  DELETED,
  /** Left alone on purpose (e.g. not owned by Paved). */
  SKIPPED,
  /** A deletion held by the prune guard until the config allows it. */
  HELD,
  /** The apiserver refused it; the reason says why. */
  FAILED;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
