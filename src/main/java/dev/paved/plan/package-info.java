/**
 * Plans: what changes between two desired states (two git revisions for {@code paved diff},
 * later git against a live cluster), per environment, as data: objects added, changed (with a
 * unified diff of their YAML) or removed, and policy findings that appear or disappear.
 * Printers turn a plan into text, a Markdown PR comment, or JSON. {@link dev.paved.plan.ServiceHistory}
 * folds plans over a list of commits into a service changelog (which commits changed what is
 * rendered, with images before and after). Secret-looking values are
 * masked before anything is compared or printed.
 *
 * <p>Pure. May call: {@code config}, {@code desired}, {@code policy}, {@code pipeline}
 * (types), {@code source} (commit metadata types only), java-diff-utils.
 */
package dev.paved.plan;
