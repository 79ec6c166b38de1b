package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FieldMapTest {

  @Test
  void behavesLikeALinkedHashMapUnderRandomChanges() {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      FieldMap<String, Integer> map = new FieldMap<>();
      Map<String, Integer> expected = new LinkedHashMap<>();
      int keys = 1 + random.nextInt(round % 2 == 0 ? 6 : 20); // small maps, and some that grow large
      for (int op = 0; op < 60; op++) {
        String key = "k" + random.nextInt(keys);
        int value = random.nextInt(100);
        switch (random.nextInt(6)) {
          case 0, 1, 2 -> assertThat(map.put(key, value)).isEqualTo(expected.put(key, value));
          case 3 -> assertThat(map.remove(key)).isEqualTo(expected.remove(key));
          case 4 -> assertThat(map.putIfAbsent(key, value)).isEqualTo(expected.putIfAbsent(key, value));
          default -> {
            Iterator<Map.Entry<String, Integer>> a = map.entrySet().iterator();
            Iterator<Map.Entry<String, Integer>> b = expected.entrySet().iterator();
            while (a.hasNext()) {
              Map.Entry<String, Integer> x = a.next();
              Map.Entry<String, Integer> y = b.next();
              if (x.getValue() % 3 == 0) {
                a.remove();
                b.remove();
              } else if (x.getValue() % 3 == 1) {
                x.setValue(x.getValue() + 1);
                y.setValue(y.getValue() + 1);
              }
            }
          }
        }
        assertThat(map).isEqualTo(expected);
        assertThat(new ArrayList<>(map.entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
        assertThat(map.hashCode()).isEqualTo(expected.hashCode());
        assertThat(map.get(key)).isEqualTo(expected.get(key));
        assertThat(map.containsKey(key)).isEqualTo(expected.containsKey(key));
      }
      map.clear();
      assertThat(map).isEmpty();
    }
  }

  @Test
  void keepsInsertionOrderWhenAFieldIsReplacedOrRemoved() {
    FieldMap<String, String> map = new FieldMap<>();
    map.put("b", "1");
    map.put("a", "2");
    map.put("c", "3");
    map.put("b", "4");
    map.remove("a");
    map.put("a", "5");
    assertThat(new ArrayList<>(map.keySet())).containsExactly("b", "c", "a");
    assertThat(new ArrayList<>(map.values())).containsExactly("4", "3", "5");
  }

  @Test
  void growsPastTheSmallFormInOrder() {
    for (FieldMap<String, Integer> map : List.of(new FieldMap<String, Integer>(), new FieldMap<String, Integer>(0),
        new FieldMap<String, Integer>(5), new FieldMap<String, Integer>(8), new FieldMap<String, Integer>(100))) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        keys.add("f" + (99 - i));
        map.put("f" + (99 - i), i);
        assertThat(map).hasSize(i + 1);
      }
      assertThat(new ArrayList<>(map.keySet())).isEqualTo(keys);
      assertThat(map.get("f0")).isEqualTo(99);
    }
  }

  @Test
  void iterationFailsFastWhenTheMapChanges() {
    FieldMap<String, Integer> map = new FieldMap<>();
    map.put("a", 1);
    map.put("b", 2);
    Iterator<String> it = map.keySet().iterator();
    it.next();
    map.put("c", 3);
    assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
  }

  @Test
  void objectNodesOfTheCompactFactoryEqualJacksonsOwn() {
    ObjectNode compact = CompactNodeFactory.INSTANCE.objectNode();
    ObjectNode plain = JsonNodeFactory.instance.objectNode();
    for (ObjectNode o : List.of(compact, plain)) {
      o.put("name", "checkout").put("replicas", 2);
      o.putObject("labels").put("team", "payments").put("tier", "prod");
      o.putArray("ports").addObject().put("port", 8080);
      o.remove("replicas");
      o.put("replicas", 3);
    }
    assertThat(compact).isEqualTo(plain);
    assertThat(plain).isEqualTo(compact);
    assertThat(compact.toString()).isEqualTo(plain.toString());
    JsonNode copy = compact.deepCopy();
    assertThat(copy).isEqualTo(compact);
    ((ObjectNode) copy.get("labels")).put("team", "storefront");
    assertThat(compact.get("labels").get("team").asText()).isEqualTo("payments");
  }
}
