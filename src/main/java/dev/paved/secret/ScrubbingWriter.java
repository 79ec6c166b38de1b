package dev.paved.secret;

import java.io.IOException;
import java.io.Writer;

/**
 * A writer that passes its text through the {@link Scrubber} line by line before handing it on
 * (a secret is never split between two writes it scrubs). {@link #flush()} scrubs and writes a
 * partial line too. For the CLI's standard output and error.
 */
public final class ScrubbingWriter extends Writer {

  private final Writer out;
  private final StringBuilder line = new StringBuilder();

  public ScrubbingWriter(Writer out) {
    super(out);
    this.out = out;
  }

  @Override
  public void write(char[] buf, int off, int len) throws IOException {
    synchronized (lock) {
      int start = off;
      for (int i = off; i < off + len; i++) {
        if (buf[i] == '\n') {
          line.append(buf, start, i + 1 - start);
          emit();
          start = i + 1;
        }
      }
      line.append(buf, start, off + len - start);
      if (line.length() > 1 << 20) {
        emit();
      }
    }
  }

  private void emit() throws IOException {
    out.write(Scrubber.scrub(line.toString()));
    line.setLength(0);
  }

  @Override
  public void flush() throws IOException {
    synchronized (lock) {
      if (line.length() > 0) {
        emit();
      }
      out.flush();
    }
  }

  @Override
  public void close() throws IOException {
    synchronized (lock) {
      flush();
      out.close();
    }
  }
}
