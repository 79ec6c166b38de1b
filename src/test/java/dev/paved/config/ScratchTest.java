package dev.paved.config;

import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void show() {
    var r = Fixtures.minimal().file("services/checkout/service.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Service
        team: payments
        replica: 2
        image:
          repository: registry.example.com/payments/checkout
          tag: 1.10
          tga: x
        ports:
          - name: http
            port: "80"
        probes:
          liveness: {periodSeconds: 3}
        resources:
          requests: {cpu: lots}
        """).file("environments/prod.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Environment
        tier: production
        cluster: mian
        """).file("policies/p.yaml", """
        apiVersion: paved.dev/v1alpha1
        kind: Policy
        rule: allowed-registries
        """).load();
    r.diagnostics().forEach(System.out::println);
  }
}
