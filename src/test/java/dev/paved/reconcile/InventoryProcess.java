package dev.paved.reconcile;

import dev.paved.apply.Inventory;
import dev.paved.apply.InventoryStore;
import dev.paved.desired.ObjectKey;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * A JVM of its own that reads or writes one inventory (for {@code InventoryShardsIT}, which
 * kills it): {@code read KUBECONFIG ENV} prints {@code commit=C objects=N};
 * {@code write KUBECONFIG ENV COMMIT EXTRA MAX_SHARD_CHARS PAUSE_AFTER} reads the inventory, adds
 * {@code EXTRA} ConfigMaps to it and writes it with shards of at most {@code MAX_SHARD_CHARS},
 * printing {@code paused after N shards} and waiting forever after the {@code PAUSE_AFTER}th.
 */
public final class InventoryProcess {

  private InventoryProcess() {}

  public static void main(String[] args) throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(Path.of(args[1])));
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      String env = args[2];
      if (args[0].equals("read")) {
        Inventory inv = new InventoryStore(client, "paved").read(env).orElseThrow();
        System.out.println("commit=" + inv.commit() + " objects=" + inv.objects().size());
        return;
      }
      int pauseAfter = Integer.parseInt(args[6]);
      Object forever = new Object();
      InventoryStore store = new InventoryStore(client, "paved", new InventoryStore.Options(Integer.parseInt(args[5]),
          n -> {
            if (n == pauseAfter) {
              System.out.println("paused after " + n + " shards");
              System.out.flush();
              synchronized (forever) {
                try {
                  forever.wait(); // until killed
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            }
          }));
      Set<ObjectKey> objects = new TreeSet<>(store.read(env).orElseThrow().objects());
      for (int i = 0; i < Integer.parseInt(args[4]); i++) {
        objects.add(new ObjectKey("v1", "ConfigMap", "extra", "extra-" + i));
      }
      store.write(new Inventory(env, args[3], objects));
      System.out.println("written");
    }
  }
}
