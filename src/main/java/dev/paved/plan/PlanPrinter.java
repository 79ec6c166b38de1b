package dev.paved.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.plan.Plan.Action;
import dev.paved.plan.Plan.EnvironmentPlan;
import dev.paved.plan.Plan.ObjectChange;
import dev.paved.policy.Finding;
import java.io.UncheckedIOException;

/** Prints a plan as text for a terminal, Markdown for a pull-request comment, or JSON. */
public final class PlanPrinter {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private PlanPrinter() {}

  private static String shortRev(String rev) {
    return rev != null && rev.matches("[0-9a-f]{40}") ? rev.substring(0, 12) : String.valueOf(rev);
  }

  private static String counts(EnvironmentPlan e) {
    return e.count(Action.ADD) + " to add, " + e.count(Action.CHANGE) + " to change, " + e.count(Action.REMOVE)
        + " to remove, " + e.unchanged() + " unchanged" + (e.count(Action.HOLD) > 0 ? ", " + e.count(Action.HOLD)
        + " deletion(s) held" : "") + (e.refused() ? ", " + e.count(Action.REFUSE) + " refused" : "")
        + (e.count(Action.SKIP) > 0 ? ", " + e.count(Action.SKIP) + " skipped" : "")
        + (e.count(Action.CONFLICT) > 0 ? ", " + e.count(Action.CONFLICT) + " conflict(s)" : "");
  }

  public static String text(Plan plan) {
    StringBuilder b = new StringBuilder();
    b.append("Plan ").append(shortRev(plan.base())).append(" -> ").append(shortRev(plan.head())).append('\n');
    for (EnvironmentPlan e : plan.environments()) {
      b.append("\nEnvironment ").append(e.environment()).append(" (cluster ").append(e.cluster()).append("): ")
          .append(counts(e)).append('\n');
      for (ObjectChange c : e.changes()) {
        b.append("  ").append(c.action().symbol()).append(' ').append(c.key());
        if (!c.reason().isEmpty()) {
          b.append(" (").append(c.action().verb()).append(": ").append(c.reason().strip()).append(')');
        }
        b.append('\n');
      }
      for (ObjectChange c : e.changes()) {
        if (c.action() == Action.CHANGE || c.action() == Action.CONFLICT) {
          b.append('\n');
          c.diff().lines().forEach(l -> b.append("    ").append(l).append('\n'));
        }
      }
      for (Finding f : e.newFindings()) {
        b.append("  new ").append(f.severity().label()).append(": ").append(f.toDiagnostic().location()).append(": ")
            .append(f.message()).append(" [").append(f.policy()).append("]\n");
      }
      for (Finding f : e.resolvedFindings()) {
        b.append("  resolved: ").append(f.message()).append(" [").append(f.policy()).append("]\n");
      }
    }
    return b.toString();
  }

  public static String markdown(Plan plan) {
    StringBuilder b = new StringBuilder();
    b.append("### Paved plan `").append(shortRev(plan.base())).append("` → `").append(shortRev(plan.head()))
        .append("`\n\n");
    b.append("| Environment | Cluster | Add | Change | Remove | Unchanged | New findings | Resolved findings |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (EnvironmentPlan e : plan.environments()) {
      b.append("| ").append(e.environment()).append(" | ").append(e.cluster()).append(" | ")
          .append(e.count(Action.ADD)).append(" | ").append(e.count(Action.CHANGE)).append(" | ")
          .append(e.count(Action.REMOVE)).append(" | ").append(e.unchanged()).append(" | ")
          .append(e.newFindings().size()).append(" | ").append(e.resolvedFindings().size()).append(" |\n");
    }
    for (EnvironmentPlan e : plan.environments()) {
      if (e.isEmpty()) {
        continue;
      }
      b.append("\n#### ").append(e.environment()).append("\n\n");
      for (Finding f : e.newFindings()) {
        b.append("- ").append(f.blocking() ? ":no_entry: **blocks**" : ":warning: warns").append(" `")
            .append(f.location()).append("` ").append(escape(f.message())).append(" (policy `").append(f.policy())
            .append("`)\n");
      }
      for (Finding f : e.resolvedFindings()) {
        b.append("- :white_check_mark: resolved: ").append(escape(f.message())).append(" (policy `")
            .append(f.policy()).append("`)\n");
      }
      if (!e.newFindings().isEmpty() || !e.resolvedFindings().isEmpty()) {
        b.append('\n');
      }
      for (ObjectChange c : e.changes()) {
        String verb = c.action() == Action.HOLD ? "deletion held"
            : c.action() == Action.CONFLICT ? "conflict: " + escape(c.reason()) : c.action().verb();
        b.append("<details><summary><code>").append(c.action().symbol()).append(' ').append(c.key())
            .append("</code> ").append(verb).append("</summary>\n\n```diff\n").append(c.diff().replace("```", "`​``"))
            .append("```\n\n</details>\n");
      }
    }
    if (plan.isEmpty()) {
      b.append("\nNo changes to any environment.\n");
    }
    return b.toString();
  }

  private static String escape(String s) {
    return s.replace("|", "\\|").replace("<", "&lt;");
  }

  public static String json(Plan plan) {
    ObjectNode root = JSON.createObjectNode();
    root.put("base", plan.base());
    root.put("head", plan.head());
    ArrayNode envs = root.putArray("environments");
    for (EnvironmentPlan e : plan.environments()) {
      ObjectNode n = envs.addObject();
      n.put("environment", e.environment());
      n.put("cluster", e.cluster());
      n.put("unchanged", e.unchanged());
      ArrayNode changes = n.putArray("changes");
      for (ObjectChange c : e.changes()) {
        ObjectNode cn = changes.addObject();
        cn.put("object", c.key().toString());
        cn.put("action", c.action().name().toLowerCase(java.util.Locale.ROOT));
        cn.put("service", c.service());
        cn.put("diff", c.diff());
        cn.put("reason", c.reason());
      }
      findings(n.putArray("newFindings"), e.newFindings());
      findings(n.putArray("resolvedFindings"), e.resolvedFindings());
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** Findings as JSON objects (shared with {@code paved validate --format json}). */
  public static void findings(ArrayNode out, java.util.List<Finding> findings) {
    for (Finding f : findings) {
      ObjectNode n = out.addObject();
      n.put("policy", f.policy());
      n.put("rule", f.rule());
      n.put("severity", f.severity().label());
      n.put("environment", f.environment());
      n.put("service", f.service());
      n.put("object", f.object() == null ? null : f.object().toString());
      n.put("file", f.location().file());
      n.put("line", f.location().line());
      n.put("column", f.location().column());
      n.put("message", f.message());
    }
  }
}
