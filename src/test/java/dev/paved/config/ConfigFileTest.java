package dev.paved.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where a file belongs is decided by its path alone. */
class ConfigFileTest {

  @Test
  void eachPathOfARepoHasItsPlace() {
    assertThat(ConfigFile.of("clusters/prod.yaml")).isEqualTo(
        new ConfigFile.Declaration("clusters/prod.yaml", "clusters", "prod", Kind.CLUSTER));
    assertThat(ConfigFile.of("environments/dev.yml")).isEqualTo(
        new ConfigFile.Declaration("environments/dev.yml", "environments", "dev", Kind.ENVIRONMENT));
    assertThat(ConfigFile.of("policies/p.yaml").kind()).isEqualTo(Kind.POLICY);
    assertThat(ConfigFile.of("services/web/service.yaml")).isEqualTo(
        new ConfigFile.ServiceFile("services/web/service.yaml", "web"));
    assertThat(ConfigFile.of("services/web/service.yaml").kind()).isEqualTo(Kind.SERVICE);
    assertThat(ConfigFile.of("services/web/env/prod.yaml")).isEqualTo(
        new ConfigFile.OverrideFile("services/web/env/prod.yaml", "web", "prod"));
    assertThat(ConfigFile.of("services/web/env/prod.yaml").kind()).isEqualTo(Kind.OVERRIDE);
    assertThat(ConfigFile.of("services/web/manifests/a/b.yaml")).isEqualTo(
        new ConfigFile.ManifestFile("services/web/manifests/a/b.yaml", "web"));
    assertThat(ConfigFile.of("services/web/manifests/a/b.yaml").kind()).isNull();
  }

  @Test
  void yamlInPavedsDirectoriesThatFitsNoPlaceIsIgnoredAndEverythingElseIsNotLookedAt() {
    assertThat(ConfigFile.of("services/web/notes.yaml")).isEqualTo(new ConfigFile.Ignored("services/web/notes.yaml"));
    assertThat(ConfigFile.of("clusters/a/b.yaml")).isInstanceOf(ConfigFile.Ignored.class);
    assertThat(ConfigFile.of("services/web/README.md")).isNull();
    assertThat(ConfigFile.of("docs/x.yaml")).isNull();
    assertThat(ConfigFile.of("README.md")).isNull();
  }
}
