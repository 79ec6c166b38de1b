package dev.paved.cli;

/** The exit codes of every {@code paved} command (documented in the README). */
public final class ExitCodes {

  /** Success: valid, no enforced policy violated. */
  public static final int OK = 0;
  /** Findings: validation errors or enforced policy violations. */
  public static final int FINDINGS = 1;
  /** Usage error: unknown option, missing argument, unknown environment or revision. */
  public static final int USAGE = 2;
  /** Internal error: a bug or an unexpected I/O failure. */
  public static final int INTERNAL = 3;

  private ExitCodes() {}
}
