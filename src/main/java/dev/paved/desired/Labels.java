package dev.paved.desired;

/** The labels and annotations Paved puts on every object it renders. */
public final class Labels {

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String VERSION = "app.kubernetes.io/version";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGER = "paved";
  public static final String ENVIRONMENT = "paved.dev/environment";
  public static final String SERVICE = "paved.dev/service";
  public static final String TEAM = "paved.dev/team";
  /** Label set by the engine: the config repo that owns the object (see apply.Owner). */
  public static final String REPO = "paved.dev/repo";
  /**
   * Annotation a manifest in git may carry, {@code "true"}: Paved may take over the object even
   * though it exists in the cluster without Paved's ownership mark (reported as {@code adopted}).
   */
  public static final String ADOPT = "paved.dev/adopt";
  /** Annotation: the commit the object was rendered from. */
  public static final String SOURCE_COMMIT = "paved.dev/source-commit";
  /** Annotation: the config file that declared the object. */
  public static final String SOURCE_FILE = "paved.dev/source";

  /** Annotation set by the engine: a hash of the applied manifest (see ResourceManager). */
  public static final String APPLIED_HASH = "paved.dev/applied-hash";

  private Labels() {}
}
