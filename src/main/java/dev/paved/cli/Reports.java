package dev.paved.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.paved.config.Diagnostic;
import dev.paved.pipeline.Evaluation;
import dev.paved.plan.PlanPrinter;
import java.io.PrintWriter;

/** How commands print an evaluation's problems: {@code file:line:col: severity: message}, or JSON. */
final class Reports {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Reports() {}

  static void text(Evaluation e, PrintWriter out) {
    for (Diagnostic d : e.problems()) {
      out.println(d);
    }
  }

  static String summary(Evaluation e) {
    long errors = e.diagnostics().stream().filter(Diagnostic::isError).count();
    long warnings = e.diagnostics().size() - errors;
    long violations = e.violations().size();
    long policyWarnings = e.findings().size() - violations;
    String rendered = e.rendered().map(r -> ", " + r.workloads().size() + " workloads in "
        + r.state().environments().size() + " environments rendered ("
        + r.state().environments().values().stream().mapToInt(s -> s.objects().size()).sum() + " objects)")
        .orElse("");
    String verdict = e.blocked() ? "FAILED" : "OK";
    return verdict + ": " + errors + " error(s), " + warnings + " warning(s), " + violations
        + " enforced policy violation(s), " + policyWarnings + " policy warning(s)" + rendered;
  }

  static String json(Evaluation e) throws com.fasterxml.jackson.core.JsonProcessingException {
    return JSON.writeValueAsString(tree(e));
  }

  /** With the {@code signature} of {@code revision} ({@code --verify-signatures}). */
  static String json(Evaluation e, String revision, dev.paved.source.CommitSignature signature)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    ObjectNode root = tree(e);
    SignatureCheck.json(root, revision, signature);
    return JSON.writeValueAsString(root);
  }

  /** A JSON document's text with the {@code signature} of {@code revision} added. */
  static String withSignature(String json, String revision, dev.paved.source.CommitSignature signature)
      throws com.fasterxml.jackson.core.JsonProcessingException {
    ObjectNode root = (ObjectNode) JSON.readTree(json);
    SignatureCheck.json(root, revision, signature);
    return JSON.writeValueAsString(root) + "\n";
  }

  private static ObjectNode tree(Evaluation e) {
    ObjectNode root = JSON.createObjectNode();
    root.put("revision", e.revision());
    root.put("ok", !e.blocked());
    ArrayNode diags = root.putArray("diagnostics");
    for (Diagnostic d : e.diagnostics()) {
      ObjectNode n = diags.addObject();
      n.put("file", d.location().file());
      n.put("line", d.location().line());
      n.put("column", d.location().column());
      n.put("severity", d.severity().label());
      n.put("code", d.code());
      n.put("message", d.message());
    }
    PlanPrinter.findings(root.putArray("findings"), e.findings());
    root.put("summary", summary(e));
    return root;
  }
}
