package dev.paved.reconcile;

/**
 * Whether this daemon may work on a target now. With HA off every target is always open ({@link
 * #OPEN}); with HA on, {@link HeldLeases} (kept by {@link TargetLeases}): only while this replica
 * holds the target's Lease.
 * A reconcile {@link #enter enters} before it starts (and {@link #exit exits} after), so a Lease
 * is never given up under a running reconcile; each inventory write asks {@link #holds} again.
 */
interface TargetGate {

  TargetGate OPEN = new TargetGate() {
    @Override
    public boolean enter(String repo, String environment) {
      return true;
    }

    @Override
    public void exit(String repo, String environment) {}

    @Override
    public boolean holds(String repo, String environment) {
      return true;
    }
  };

  /** True (and the target counted as busy until {@link #exit}) when this daemon may work on it now. */
  boolean enter(String repo, String environment);

  void exit(String repo, String environment);

  /** Whether this daemon holds the target now, with time to spare before its Lease could expire. */
  boolean holds(String repo, String environment);

  /** The key of a target in the gate: {@code repo/environment}. */
  static String key(String repo, String environment) {
    return repo + "/" + environment;
  }
}
