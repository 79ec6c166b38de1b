package dev.paved.config;

import java.util.Set;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * YAML 1.2's core schema for plain scalars, through SnakeYAML's own resolver mechanism:
 * {@code true}/{@code false} (not {@code yes}/{@code no}/{@code on}), decimal, octal
 * ({@code 0o}) and hex integers, floats, {@code null}/{@code ~}/empty; everything else is a
 * string. Fewer, simpler patterns than SnakeYAML's YAML 1.1 set, tried only for scalars whose
 * first character can start them.
 */
final class CoreSchemaResolver extends org.yaml.snakeyaml.resolver.Resolver {
  @Override
  protected void addImplicitResolvers() {
    addImplicitResolver(Tag.BOOL, java.util.regex.Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
    addImplicitResolver(Tag.INT, java.util.regex.Pattern.compile("^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        "-+0123456789");
    addImplicitResolver(Tag.FLOAT, java.util.regex.Pattern.compile(
        "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"),
        "-+0123456789.");
    addImplicitResolver(Tag.MERGE, java.util.regex.Pattern.compile("^(?:<<)$"), "<");
    addImplicitResolver(Tag.NULL, java.util.regex.Pattern.compile("^(?:~|null|Null|NULL)$"), "~nN");
    // Keyed on '\0', the key SnakeYAML looks up for the empty scalar: registered with no first
    // character (null), the pattern would be tried against every plain scalar.
    addImplicitResolver(Tag.NULL, java.util.regex.Pattern.compile("^$"), "\0");
  }

  private static final Set<String> NULLS = Set.of("~", "null", "Null", "NULL");

  /**
   * The same answers as the patterns above, without a regex for the scalars whose first
   * character has only a fixed word list (booleans, nulls, the merge key) or that are plain
   * decimal digits: those patterns are alternations of literal words, so set membership says
   * the same. Everything else goes through SnakeYAML's own resolution.
   */
  @Override
  public Tag resolve(org.yaml.snakeyaml.nodes.NodeId kind, String value, boolean implicit) {
    if (kind == org.yaml.snakeyaml.nodes.NodeId.scalar && implicit && !value.isEmpty()) {
      switch (value.charAt(0)) {
        case 't', 'T', 'f', 'F':
          return YamlReader.BOOLEANS.contains(value) ? Tag.BOOL : Tag.STR;
        case 'n', 'N', '~':
          return NULLS.contains(value) ? Tag.NULL : Tag.STR;
        case '<':
          return value.equals("<<") ? Tag.MERGE : Tag.STR;
        default:
          if (value.length() <= 1024 && Workloads.digits(value)) {
            return Tag.INT;
          }
      }
    }
    return super.resolve(kind, value, implicit);
  }
}
