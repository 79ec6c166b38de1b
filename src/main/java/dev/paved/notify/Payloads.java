package dev.paved.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.reconcile.DaemonEvent;
import dev.paved.secret.Scrubber;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The bodies each sink type sends for an event, and the webhook signature. Pure: the same event
 * gives the same bytes. Status is always written as a word ("FAILED", "DEGRADED"), never only
 * a colour or an emoji, so messages read the same to everyone.
 */
public final class Payloads {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Payloads() {}

  /** What happened, in one line: {@code [ERROR] sync failed: platform/prod at 3f1c2a9e: ...}. */
  public static String headline(DaemonEvent e) {
    StringBuilder b = new StringBuilder("[").append(e.severity()).append("] ")
        .append(e.type().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(": ").append(e.repo());
    if (e.environment() != null) {
      b.append('/').append(e.environment());
    }
    if (e.service() != null) {
      b.append(" service ").append(e.service());
    }
    if (e.commit() != null && !e.commit().isEmpty()) {
      b.append(" at ").append(e.commit(), 0, Math.min(12, e.commit().length()));
    }
    if (e.message() != null && !e.message().isEmpty()) {
      b.append(": ").append(e.message());
    }
    return b.toString();
  }

  /** The dashboard page of the event: the service's, else the environment's, else the front page. */
  public static Optional<String> link(Optional<URI> dashboard, DaemonEvent e) {
    return dashboard.map(d -> {
      String base = d.toString().replaceAll("/+$", "");
      if (e.service() != null) {
        return base + "/#/services/" + e.service();
      }
      if (e.environment() != null) {
        return base + "/#/environments/" + e.environment();
      }
      return base + "/";
    });
  }

  /** The generic webhook's JSON body. */
  public static byte[] webhook(DaemonEvent e, Optional<URI> dashboard) {
    return bytes(data(e, dashboard));
  }

  /** A CloudEvents 1.0 event in structured mode ({@code application/cloudevents+json}). */
  public static byte[] cloudEvent(DaemonEvent e, Optional<URI> dashboard, String id) {
    ObjectNode n = JSON.createObjectNode();
    n.put("specversion", "1.0");
    n.put("id", id);
    n.put("source", "paved/" + e.repo());
    n.put("type", "dev.paved." + e.type().id());
    if (e.environment() != null) {
      n.put("subject", e.environment() + (e.service() != null ? "/" + e.service() : ""));
    }
    n.put("time", e.at().toString());
    n.put("datacontenttype", "application/json");
    n.set("data", data(e, dashboard));
    return bytes(n);
  }

  /** A Slack-compatible incoming-webhook message: a fallback text and a section with details. */
  public static byte[] slack(DaemonEvent e, Optional<URI> dashboard) {
    String headline = headline(e);
    StringBuilder text = new StringBuilder("*").append(escape(headline)).append('*');
    for (String d : e.details().subList(0, Math.min(10, e.details().size()))) {
      text.append("\n• `").append(escape(d).replace('`', '\'')).append('`');
    }
    if (e.details().size() > 10) {
      text.append("\n… and ").append(e.details().size() - 10).append(" more");
    }
    link(dashboard, e).ifPresent(l -> text.append("\n<").append(l).append("|Open in the Paved dashboard>"));
    ObjectNode n = JSON.createObjectNode();
    n.put("text", headline);
    ObjectNode section = n.putArray("blocks").addObject();
    section.put("type", "section");
    ObjectNode t = section.putObject("text");
    t.put("type", "mrkdwn");
    t.put("text", text.toString());
    return bytes(n);
  }

  /** {@code sha256=<hex HMAC-SHA256 of body keyed with secret>}, as GitHub signs its webhooks. */
  public static String signature(byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException ex) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", ex);
    }
  }

  private static ObjectNode data(DaemonEvent e, Optional<URI> dashboard) {
    ObjectNode n = JSON.createObjectNode();
    n.put("event", e.type().id());
    n.put("severity", e.severity().name().toLowerCase(Locale.ROOT));
    n.put("repo", e.repo());
    n.put("environment", e.environment());
    n.put("service", e.service());
    n.put("team", e.team());
    n.put("commit", e.commit());
    n.put("message", e.message());
    e.details().forEach(n.putArray("details")::add);
    n.put("at", e.at().toString());
    n.put("summary", headline(e));
    link(dashboard, e).ifPresent(l -> n.put("url", l));
    return n;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static byte[] bytes(ObjectNode n) {
    try {
      return Scrubber.scrubUtf8(JSON.writeValueAsString(n).getBytes(StandardCharsets.UTF_8));
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new UncheckedIOException(ex);
    }
  }
}
