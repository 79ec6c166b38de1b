package dev.paved.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.plan.ServiceHistory.Entry;
import dev.paved.plan.ServiceHistory.ServiceChange;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.SortedSet;

/** Prints a service history (newest commit first) as text, a Markdown changelog, or JSON. */
public final class HistoryPrinter {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'")
      .withZone(ZoneOffset.UTC);

  private HistoryPrinter() {}

  public static String text(List<Entry> entries) {
    if (entries.isEmpty()) {
      return "No commit changed the rendered objects.\n";
    }
    StringBuilder b = new StringBuilder();
    for (Entry e : entries) {
      b.append(e.commit().id(), 0, 12).append("  ").append(WHEN.format(e.commit().time())).append("  ")
          .append(e.commit().author()).append("  ").append(e.commit().subject()).append('\n');
      for (ServiceChange c : e.changes()) {
        b.append("    ").append(c.service()).append(" @ ").append(c.environment()).append(": ")
            .append(c.change().name().toLowerCase(Locale.ROOT)).append(" (").append(c.objects().size())
            .append(c.objects().size() == 1 ? " object)" : " objects)");
        if (c.imageChanged()) {
          b.append("  image ").append(images(c.imagesBefore())).append(" -> ").append(images(c.imagesAfter()));
        }
        b.append('\n');
      }
    }
    return b.toString();
  }

  public static String markdown(List<Entry> entries) {
    StringBuilder b = new StringBuilder("| commit | when | author | service | environment | change | image |\n")
        .append("|---|---|---|---|---|---|---|\n");
    for (Entry e : entries) {
      for (ServiceChange c : e.changes()) {
        b.append("| `").append(e.commit().id(), 0, 12).append("` ").append(cell(e.commit().subject()))
            .append(" | ").append(WHEN.format(e.commit().time())).append(" | ").append(cell(e.commit().author()))
            .append(" | ").append(c.service()).append(" | ").append(c.environment()).append(" | ")
            .append(c.change().name().toLowerCase(Locale.ROOT)).append(" | ")
            .append(c.imageChanged() ? "`" + images(c.imagesBefore()) + "` → `" + images(c.imagesAfter()) + "`" : "")
            .append(" |\n");
      }
    }
    return b.toString();
  }

  public static String json(List<Entry> entries) {
    ArrayNode root = JSON.createArrayNode();
    for (Entry e : entries) {
      ObjectNode n = root.addObject();
      n.put("commit", e.commit().id());
      n.put("author", e.commit().authorName());
      n.put("email", e.commit().authorEmail());
      n.put("time", e.commit().time().toString());
      n.put("message", e.commit().subject());
      ArrayNode changes = n.putArray("changes");
      for (ServiceChange c : e.changes()) {
        ObjectNode cn = changes.addObject();
        cn.put("service", c.service());
        cn.put("environment", c.environment());
        cn.put("change", c.change().name().toLowerCase(Locale.ROOT));
        c.objects().forEach(cn.putArray("objects")::add);
        c.imagesBefore().forEach(cn.putArray("imagesBefore")::add);
        c.imagesAfter().forEach(cn.putArray("imagesAfter")::add);
      }
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  private static String images(SortedSet<String> images) {
    return images.isEmpty() ? "(none)" : String.join(", ", images);
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
