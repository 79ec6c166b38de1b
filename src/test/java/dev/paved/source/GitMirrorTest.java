package dev.paved.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitMirrorTest {

  @TempDir
  Path tmp;
  Path state;
  TestRemote remote;

  @BeforeEach
  void setUp() throws Exception {
    state = tmp.resolve("state");
    remote = TestRemote.create(tmp);
  }

  @AfterEach
  void tearDown() {
    remote.close();
  }

  private static String text(ConfigTree tree, String path) {
    SourceFile f = tree.file(path).orElseThrow(() -> new AssertionError(path + " not in " + tree.files().keySet()));
    return new String(f.content().orElseThrow(), StandardCharsets.UTF_8);
  }

  private static List<Path> packs(Path mirror) throws IOException {
    try (Stream<Path> s = Files.list(mirror.resolve("objects/pack"))) {
      return s.filter(p -> p.toString().endsWith(".pack")).sorted().toList();
    }
  }

  @Test
  void clonesOnceThenFetchesOnlyWhatIsNewIntoTheSameDirectory() throws Exception {
    RevCommit c1 = remote.write("services/a/service.yaml", "tag: \"1\"\n").commitAndPush("a at 1");

    GitMirror.FetchResult first;
    Path dir;
    List<Path> packsAfterClone;
    try (GitMirror mirror = GitMirror.open(state, "platform", GitRemote.of(remote.url()))) {
      dir = mirror.directory();
      assertThat(dir).isEqualTo(state.resolve("repos/platform.git").toAbsolutePath());
      assertThat(mirror.head()).isEmpty();
      first = mirror.fetch();
      packsAfterClone = packs(dir);
    }
    assertThat(first).isEqualTo(new GitMirror.FetchResult(c1.name(), null, true));
    assertThat(first.first()).isTrue();
    assertThat(dir.resolve("config")).exists();
    assertThat(packsAfterClone).isNotEmpty();
    Files.writeString(dir.resolve("marker"), "still the same directory");

    RevCommit c2 = remote.write("services/a/service.yaml", "tag: \"2\"\n").commitAndPush("a at 2");

    // A new instance over the same state dir (a daemon restart) fetches incrementally.
    try (GitMirror mirror = GitMirror.open(state, "platform", GitRemote.of(remote.url()))) {
      assertThat(mirror.head()).contains(c1.name());
      GitMirror.FetchResult second = mirror.fetch();
      assertThat(second).isEqualTo(new GitMirror.FetchResult(c2.name(), c1.name(), true));
      assertThat(second.first()).isFalse();
      assertThat(dir.resolve("marker")).hasContent("still the same directory");
      // The clone's pack is kept; the fetch added only a new pack with the new objects.
      assertThat(packs(dir)).containsAll(packsAfterClone).hasSizeGreaterThan(packsAfterClone.size());

      GitMirror.FetchResult third = mirror.fetch();
      assertThat(third).isEqualTo(new GitMirror.FetchResult(c2.name(), c2.name(), false));

      assertThat(text(mirror.read(c2.name()), "services/a/service.yaml")).isEqualTo("tag: \"2\"\n");
      assertThat(text(mirror.read(c1.name()), "services/a/service.yaml")).isEqualTo("tag: \"1\"\n");
      assertThat(mirror.read(c2.name()).revision()).isEqualTo(c2.name());
    }
  }

  @Test
  void followsAForcePushedBranch() throws Exception {
    remote.write("a.yaml", "x: 1\n").commitAndPush("one");
    RevCommit two = remote.write("a.yaml", "x: 2\n").commitAndPush("two");
    try (GitMirror mirror = GitMirror.open(state, "r", GitRemote.of(remote.url()))) {
      assertThat(mirror.fetch().head()).isEqualTo(two.name());
      remote.git().reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef("HEAD~1").call();
      RevCommit other = remote.write("a.yaml", "x: 3\n").commit("three instead");
      remote.git().push().setRemote("origin").add("main").setForce(true).call();

      GitMirror.FetchResult f = mirror.fetch();
      assertThat(f).isEqualTo(new GitMirror.FetchResult(other.name(), two.name(), true));
      // The mirror follows the rewrite; whether the new head descends from what was applied is
      // the daemon's question (it holds such a head), answered here from the mirror's history.
      RevCommit one = remote.git().log().setMaxCount(2).call().iterator().next().getParent(0);
      assertThat(mirror.isAncestor(two.name(), other.name())).as("two was rewritten away").isFalse();
      assertThat(mirror.isAncestor(one.name(), other.name())).isTrue();
      assertThat(mirror.isAncestor(other.name(), other.name())).isTrue();
      assertThat(mirror.isAncestor(other.name(), one.name())).as("a descendant is no ancestor").isFalse();
      assertThat(mirror.isAncestor("0123456789abcdef0123456789abcdef01234567", other.name()))
          .as("a commit the mirror never saw").isFalse();
      assertThat(mirror.isAncestor("local", other.name())).as("not a commit id").isFalse();
      assertThatThrownBy(() -> mirror.isAncestor(one.name(), "0123456789abcdef0123456789abcdef01234567"))
          .isInstanceOf(CommitNotFoundException.class);
    }
  }

  @Test
  void readsTheConfigRepoFromASubDirectory() throws Exception {
    remote.write("README.md", "docs\n").write("platform/environments/dev.yaml", "tier: dev\n")
        .write("platform/services/a/service.yaml", "tag: \"1\"\n").commitAndPush("layout");
    try (GitMirror mirror = GitMirror.open(state, "sub", GitRemote.of(remote.url()).withPath("/platform/"))) {
      ConfigTree tree = mirror.read(mirror.fetch().head());
      assertThat(tree.files()).containsOnlyKeys("environments/dev.yaml", "services/a/service.yaml");
      assertThat(text(tree, "environments/dev.yaml")).isEqualTo("tier: dev\n");
    }
    try (GitMirror mirror = GitMirror.open(state, "typo", GitRemote.of(remote.url()).withPath("platfrom"))) {
      String head = mirror.fetch().head();
      assertThatThrownBy(() -> mirror.read(head)).isInstanceOf(GitSourceException.class)
          .hasMessageContaining("has no directory \"platfrom\"");
    }
  }

  @Test
  void acceptsAPlainPathAsURL() throws Exception {
    RevCommit c = remote.write("a.yaml", "x: 1\n").commitAndPush("one");
    try (GitMirror mirror = GitMirror.open(state, "plain", GitRemote.of(remote.bare().toString()))) {
      assertThat(mirror.fetch().head()).isEqualTo(c.name());
    }
  }

  @Test
  void anUnknownBranchIsATypedError() throws Exception {
    remote.write("a.yaml", "x: 1\n").commitAndPush("one");
    try (GitMirror mirror = GitMirror.open(state, "r", GitRemote.of(remote.url()).withBranch("release"))) {
      assertThatThrownBy(mirror::fetch).isInstanceOf(BranchNotFoundException.class)
          .hasMessage("branch release does not exist in " + remote.url());
      assertThat(mirror.head()).isEmpty();
    }
  }

  @Test
  void anUnreachableRemoteIsATypedError() throws Exception {
    try (GitMirror mirror = GitMirror.open(state, "gone", GitRemote.of(tmp.resolve("nothing-here.git").toString()))) {
      assertThatThrownBy(mirror::fetch).isInstanceOf(RemoteUnreachableException.class)
          .hasMessageContaining("no git repository at").hasMessageContaining("nothing-here.git");
    }
    Files.createDirectories(tmp.resolve("empty-dir"));
    try (GitMirror mirror = GitMirror.open(state, "notgit", GitRemote.of(tmp.resolve("empty-dir").toUri().toString()))) {
      assertThatThrownBy(mirror::fetch).isInstanceOf(RemoteUnreachableException.class)
          .hasMessageContaining("not a git repository");
    }
    int port = freePort();
    GitRemote http = GitRemote.of("http://127.0.0.1:" + port + "/platform.git").withTimeout(Duration.ofSeconds(5));
    try (GitMirror mirror = GitMirror.open(state, "http", http)) {
      assertThatThrownBy(mirror::fetch).isInstanceOf(RemoteUnreachableException.class)
          .hasMessageStartingWith("cannot fetch main from http://127.0.0.1:" + port + "/platform.git: the remote cannot be reached");
    }
  }

  @Test
  void httpsCredentialsComeFromFilesOrTheEnvironmentAndNeverShowInMessages() throws Exception {
    List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      authorizations.add(auth == null ? "none" : auth);
      exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/platform.git";
      Path tokenFile = Files.writeString(tmp.resolve("token"), "s3cr3t-t0ken\n");

      try (GitMirror mirror = GitMirror.open(state, "token",
          GitRemote.of(url).withCredentials(Credentials.none().withTokenFile(tokenFile)))) {
        assertThatThrownBy(mirror::fetch).isInstanceOf(AuthenticationFailedException.class)
            .hasMessageContaining("refused the credentials").hasMessageContaining(tokenFile.toString())
            .hasMessageNotContaining("s3cr3t-t0ken");
      }
      assertThat(authorizations).contains("Basic " + base64("x-access-token:s3cr3t-t0ken"));

      authorizations.clear();
      Function<String, String> env = Map.of("GIT_USER", "robot", "GIT_PASSWORD", "hunter2-pw")::get;
      Credentials fromEnv = Credentials.none().withUsernameEnv("GIT_USER").withPasswordEnv("GIT_PASSWORD");
      try (GitMirror mirror = GitMirror.open(state, "env", GitRemote.of(url).withCredentials(fromEnv), env)) {
        assertThatThrownBy(mirror::fetch).isInstanceOf(AuthenticationFailedException.class)
            .hasMessageNotContaining("hunter2-pw");
      }
      assertThat(authorizations).contains("Basic " + base64("robot:hunter2-pw"));

      Credentials unset = Credentials.none().withTokenEnv("PAVED_TEST_UNSET_TOKEN");
      try (GitMirror mirror = GitMirror.open(state, "unset", GitRemote.of(url).withCredentials(unset), k -> null)) {
        assertThatThrownBy(mirror::fetch).isInstanceOf(AuthenticationFailedException.class)
            .hasMessage("the git token for " + url + " is to come from environment variable PAVED_TEST_UNSET_TOKEN,"
                + " which is not set");
      }

      try (GitMirror mirror = GitMirror.open(state, "anon", GitRemote.of(url))) {
        assertThatThrownBy(mirror::fetch).isInstanceOf(AuthenticationFailedException.class)
            .hasMessage("cannot fetch main from " + url + ": the remote requires credentials, and none are configured");
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void secretsAreNeverInline() {
    assertThatThrownBy(() -> GitRemote.of("https://robot:hunter2@git.example.com/platform.git"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("carries a password")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> Credentials.none().withPasswordEnv("A").withTokenFile(Path.of("t")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Credentials.none().withTokenEnv("GIT_TOKEN").withSshKeyFile(Path.of("/keys/id")).toString())
        .isEqualTo("Credentials[tokenEnv=GIT_TOKEN, sshKeyFile=/keys/id]");
  }

  @Test
  void sshUsesTheConfiguredKeyAndKnownHosts() throws Exception {
    Path key = Files.writeString(tmp.resolve("id_ed25519"), "not really a key\n");
    Path knownHosts = Files.writeString(tmp.resolve("known_hosts"), "");
    int port = freePort();
    GitRemote ssh = GitRemote.of("ssh://git@127.0.0.1:" + port + "/platform.git").withTimeout(Duration.ofSeconds(5))
        .withCredentials(Credentials.none().withSshKeyFile(key).withKnownHostsFile(knownHosts));
    assertThat(ssh.ssh()).isTrue();
    assertThat(GitRemote.of("git@github.com:acme/platform.git").ssh()).isTrue();
    assertThat(GitRemote.of("https://github.com/acme/platform.git").ssh()).isFalse();

    try (Transports t = new Transports(ssh, k -> null)) {
      assertThat(t.sshSettings()).isEqualTo(new Transports.SshSettings(List.of(key), List.of(knownHosts)));
    }
    try (Transports t = new Transports(GitRemote.of("ssh://git@example.com/p.git"), k -> null)) {
      assertThat(t.sshSettings()).isEqualTo(new Transports.SshSettings(null, null));
    }
    // Wired into the transport: the ssh client is used (and fails to connect to the closed port).
    try (GitMirror mirror = GitMirror.open(state, "ssh", ssh)) {
      assertThatThrownBy(mirror::fetch).isInstanceOf(RemoteUnreachableException.class)
          .hasMessageStartingWith("cannot fetch main from ssh://git@127.0.0.1:" + port + "/platform.git: the remote cannot be reached");
    }
    GitRemote missingKey = ssh.withCredentials(Credentials.none().withSshKeyFile(tmp.resolve("no-such-key")));
    try (GitMirror mirror = GitMirror.open(state, "ssh2", missingKey)) {
      assertThatThrownBy(mirror::fetch).isInstanceOf(AuthenticationFailedException.class)
          .hasMessageContaining("the ssh key file " + tmp.resolve("no-such-key") + " for ssh://");
    }
  }

  @Test
  void concurrentFetchesRunOneAtATime() throws Exception {
    RevCommit c = remote.write("a.yaml", "x: 1\n").commitAndPush("one");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (GitMirror mirror = GitMirror.open(state, "r", GitRemote.of(remote.url()))) {
      List<Future<GitMirror.FetchResult>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(pool.submit(mirror::fetch));
      }
      int moved = 0;
      for (Future<GitMirror.FetchResult> f : fs) {
        GitMirror.FetchResult r = f.get();
        assertThat(r.head()).isEqualTo(c.name());
        moved += r.moved() ? 1 : 0;
      }
      assertThat(moved).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aBrokenMirrorDirectoryIsRecreated() throws Exception {
    RevCommit c = remote.write("a.yaml", "x: 1\n").commitAndPush("one");
    Path dir = state.resolve("repos/r.git");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("garbage"), "left by a crash");
    try (GitMirror mirror = GitMirror.open(state, "r", GitRemote.of(remote.url()))) {
      assertThat(mirror.fetch().head()).isEqualTo(c.name());
      assertThat(dir.resolve("garbage")).doesNotExist();
    }
  }

  @Test
  void refusesUnsafeNamesAndPaths() {
    assertThatThrownBy(() -> GitMirror.open(state, "../escape", GitRemote.of(remote.url())))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GitRemote.of(remote.url()).withPath("a/../../b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> GitRemote.of(remote.url()).withBranch("bad..name"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
