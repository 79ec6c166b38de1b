package dev.paved.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reverts signed with the daemon's SSH key ({@code revertSigningKeyFile}), verified as trusted. */
class RevertSigningTest {

  @TempDir
  Path tmp;

  @Test
  void aRevertIsSignedWithTheGivenKeyAndVerifiesAsTheDaemons() throws Exception {
    TestSigners.Ssh key = TestSigners.ssh(tmp.resolve("revert-key"));
    RevertSigningKey own = RevertSigningKey.load(key.privateKey());
    assertThat(own.publicKey()).isEqualTo(key.publicKey());
    Path allowed = Files.writeString(tmp.resolve("revert-signer"), own.allowedSignersLine() + "\n");
    try (TestRemote remote = TestRemote.create(tmp)) {
      remote.write("a.yaml", "v: 1\n").commitAndPush("one");
      RevCommit two = remote.write("a.yaml", "v: 2\n").commitAndPush("two");
      try (GitMirror mirror = GitMirror.open(tmp.resolve("state"), "platform", GitRemote.of(remote.url()))) {
        Reverter.Result r = mirror.revert(two.name()).setSigningKey(key.privateKey()).call();
        mirror.fetch();
        CommitSignature s = new CommitSignatures(new TrustedSigners(List.of(), List.of(allowed))).verify(mirror,
            r.revertCommit());
        assertThat(s).isInstanceOf(CommitSignature.Trusted.class);
        assertThat(((CommitSignature.Trusted) s).signer()).isEqualTo("paved");
        // Unsigned without a key.
        Reverter.Result unsigned = mirror.revert(r.revertCommit()).call();
        mirror.fetch();
        assertThat(new CommitSignatures(TrustedSigners.none()).verify(mirror, unsigned.revertCommit()).result())
            .isEqualTo("unsigned");
      }
    }
  }

  @Test
  void aFileThatIsNotAnSshPrivateKeyIsRefused() throws Exception {
    Path hello = Files.writeString(tmp.resolve("hello"), "hello\n");
    assertThatThrownBy(() -> RevertSigningKey.load(hello)).isInstanceOf(RevertSigningKey.InvalidSigningKeyException.class)
        .hasMessageStartingWith("the signing key file " + hello);
    assertThatThrownBy(() -> RevertSigningKey.load(tmp.resolve("none")))
        .hasMessage("the signing key file " + tmp.resolve("none") + " does not exist");
  }
}
