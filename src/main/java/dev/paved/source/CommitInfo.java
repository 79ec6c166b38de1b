package dev.paved.source;

import java.time.Instant;

/**
 * One commit as people see it in a history: its id, first parent (null for a root commit),
 * author and the first line of its message.
 */
public record CommitInfo(String id, String parent, String authorName, String authorEmail, Instant time,
    String subject) {

  /** {@code Name <email>}, or just the name when the commit has no email. */
  public String author() {
    return authorEmail == null || authorEmail.isEmpty() ? authorName : authorName + " <" + authorEmail + ">";
  }
}
