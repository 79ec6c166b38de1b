package dev.paved.secret;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * A Logback encoder that runs another encoder (plain pattern or JSON) and passes each encoded
 * event (message, arguments, MDC and stack traces alike) through the {@link Scrubber}. Used by
 * {@code logback.xml}:
 *
 * <pre>{@code
 * <encoder class="dev.paved.secret.ScrubbingEncoder">
 *   <encoder class="ch.qos.logback.classic.encoder.PatternLayoutEncoder"><pattern>...</pattern></encoder>
 * </encoder>
 * }</pre>
 *
 * <p>The wrapped encoder must write UTF-8 (both of Logback's do by default).
 */
public class ScrubbingEncoder extends EncoderBase<ILoggingEvent> {

  private Encoder<ILoggingEvent> encoder;

  /** The encoder whose output is scrubbed. */
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("ScrubbingEncoder needs a nested <encoder class=\"...\">");
      return;
    }
    if (!encoder.isStarted()) {
      encoder.start();
    }
    super.start();
  }

  @Override
  public byte[] headerBytes() {
    return encoder.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return Scrubber.scrubUtf8(encoder.encode(event));
  }

  @Override
  public byte[] footerBytes() {
    return encoder.footerBytes();
  }
}
