package dev.paved.desired;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.paved.config.Location;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvironmentStateTest {

  private static final List<String> VERSIONS = List.of("v1", "apps/v1", "apps/v1beta1", "networking.k8s.io/v1",
      "example.com/v1", "example.com/v2", "rbac.authorization.k8s.io/v1");
  private static final List<String> KINDS = List.of("Deployment", "Service", "ConfigMap", "Namespace", "Widget",
      "RoleBinding", "Ingress", "Gadget");
  private static final List<String> NAMESPACES = new ArrayList<>(List.of("a", "b", "shop-prod"));

  static {
    NAMESPACES.add(null);
  }

  private static DesiredObject object(ObjectKey key, int serial) {
    return new DesiredObject(key, JsonNodeFactory.instance.objectNode(), "svc-" + serial,
        new Location("f.yaml", serial + 1, 1), Map.of());
  }

  @Test
  void objectsAreInApplyOrderWithEqualKeysInTheGivenOrder() {
    for (long seed = 1; seed <= 200; seed++) {
      Random random = new Random(seed);
      List<DesiredObject> objects = new ArrayList<>();
      int n = random.nextInt(300);
      for (int i = 0; i < n; i++) {
        objects.add(object(new ObjectKey(VERSIONS.get(random.nextInt(VERSIONS.size())),
            KINDS.get(random.nextInt(KINDS.size())), NAMESPACES.get(random.nextInt(NAMESPACES.size())),
            "n" + random.nextInt(40)), i));
      }
      if (random.nextBoolean()) { // mostly sorted already, as a renderer gives them
        objects.sort((a, b) -> a.key().name().compareTo(b.key().name()));
      } else {
        Collections.shuffle(objects, random);
      }
      List<DesiredObject> expected = new ArrayList<>(objects);
      expected.sort((a, b) -> a.key().compareTo(b.key())); // stable

      List<DesiredObject> actual = new EnvironmentState("prod", "prod", "main", objects).objects();

      assertThat(actual).as("seed %d", seed).containsExactlyElementsOf(expected);
    }
  }
}
