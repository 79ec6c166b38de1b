package dev.paved.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commit signatures checked by JGit's verifiers against a repo's trusted keys: real keys, real signed commits. */
class CommitSignaturesTest {

  @TempDir
  Path tmp;
  TestRemote remote;
  Repository repo;

  @BeforeEach
  void setUp() throws Exception {
    remote = TestRemote.create(tmp);
    repo = remote.git().getRepository();
  }

  @AfterEach
  void tearDown() {
    remote.close();
  }

  @Test
  void unsignedCommit() throws Exception {
    RevCommit c = remote.write("a.txt", "a").commit("unsigned");
    CommitSignature s = new CommitSignatures(TrustedSigners.none()).verify(repo, c.name());
    assertThat(s).isEqualTo(new CommitSignature.Unsigned(c.name()));
    assertThat(s.result()).isEqualTo("unsigned");
    assertThat(s.describe()).isEqualTo("unsigned");
  }

  @Test
  void openPgpSignatureByATrustedKeyIsTrusted_byAnotherKeyNot() throws Exception {
    TestSigners.Gpg alice = TestSigners.gpg("Alice <alice@example.com>");
    TestSigners.Gpg mallory = TestSigners.gpg("Mallory <alice@example.com>");
    TrustedSigners trusted = TrustedSigners.read(List.of(alice.write(tmp.resolve("alice.asc"))));
    assertThat(trusted.openPgpKeys()).hasSize(1);
    assertThat(trusted.openPgpKeys().get(0).fingerprint()).isEqualTo(alice.fingerprint());
    CommitSignatures verifier = new CommitSignatures(trusted);

    remote.write("a.txt", "a");
    RevCommit good = alice.commit(remote.git(), "signed by alice");
    assertThat(verifier.verify(repo, good.name())).isEqualTo(new CommitSignature.Trusted(good.name(), "openpgp",
        "Alice <alice@example.com>", alice.fingerprint()));

    // Attack: same user id, another key. JGit knows Mallory's key only if some repo trusts it.
    remote.write("a.txt", "b");
    RevCommit forged = mallory.commit(remote.git(), "signed by mallory claiming to be alice");
    CommitSignature s = verifier.verify(repo, forged.name());
    assertThat(s).isInstanceOf(CommitSignature.Untrusted.class);
    assertThat(s.result()).isEqualTo("untrusted");
    assertThat(s.describe()).contains(mallory.fingerprint()).endsWith("its key is not one of the repo's trusted OpenPGP keys");

    // Mallory trusted by another repo (its key now in the shared keyring): still untrusted here.
    new CommitSignatures(TrustedSigners.read(List.of(mallory.write(tmp.resolve("mallory.asc")))));
    CommitSignature again = verifier.verify(repo, forged.name());
    assertThat(again).isInstanceOf(CommitSignature.Untrusted.class);
    assertThat(((CommitSignature.Untrusted) again).key()).isEqualTo(mallory.fingerprint());
    assertThat(new CommitSignatures(trusted.and(TrustedSigners.read(List.of(tmp.resolve("mallory.asc")))))
        .verify(repo, forged.name()).trusted()).isTrue();
  }

  @Test
  void aSignatureNamingAnotherReposTrustedKeyIsNotTrusted() throws Exception {
    // Attack: Mallory is trusted by repo A; repo B trusts Alice. Mallory signs with her own key
    // a signature that names Alice's fingerprint, after a commit of hers was verified for A
    // (JGit's verifier remembers keys by signer name).
    TestSigners.Gpg alice = TestSigners.gpg("Alice <dev@example.com>");
    TestSigners.Gpg mallory = TestSigners.gpg("Mallory <dev@example.com>");
    CommitSignatures repoA = new CommitSignatures(TrustedSigners.read(List.of(mallory.write(tmp.resolve("m.asc")))));
    CommitSignatures repoB = new CommitSignatures(TrustedSigners.read(List.of(alice.write(tmp.resolve("a.asc")))));
    remote.write("a.txt", "a");
    RevCommit honest = mallory.commit(remote.git(), "mallory's own");
    assertThat(repoA.verify(repo, honest.name()).trusted()).isTrue();

    var forged = mallory.forge(repo, honest, alice, "looks like alice's");
    CommitSignature s = repoB.verify(repo, forged.name());
    assertThat(s.trusted()).isFalse();
    assertThat(s.describe()).isEqualTo("bad openpgp signature: the signature does not match the commit (key "
        + alice.fingerprint() + ")");
    assertThat(repoA.verify(repo, forged.name()).trusted()).isFalse();
  }

  @Test
  void aTamperedOpenPgpCommitIsBad() throws Exception {
    TestSigners.Gpg alice = TestSigners.gpg("Alice <alice@example.com>");
    CommitSignatures verifier = new CommitSignatures(TrustedSigners.read(List.of(alice.write(tmp.resolve("a.asc")))));
    remote.write("a.txt", "a");
    RevCommit good = alice.commit(remote.git(), "signed");
    // The same signature on another commit (message changed): a forgery.
    byte[] raw = new String(good.getRawBuffer(), java.nio.charset.StandardCharsets.UTF_8).replace("\nsigned", "\nforged")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    org.eclipse.jgit.lib.ObjectId forged;
    try (var ins = repo.newObjectInserter()) {
      forged = ins.insert(org.eclipse.jgit.lib.Constants.OBJ_COMMIT, raw);
      ins.flush();
    }
    CommitSignature s = verifier.verify(repo, forged.name());
    assertThat(s).isInstanceOf(CommitSignature.Bad.class);
    assertThat(s.describe()).startsWith("bad openpgp signature: the signature does not match the commit");
  }

  @Test
  void sshSignatureByAnAllowedSignerIsTrusted_byAnotherKeyNot() throws Exception {
    TestSigners.Ssh bob = TestSigners.ssh(tmp.resolve("id_bob"));
    TestSigners.Ssh eve = TestSigners.ssh(tmp.resolve("id_eve"));
    Path allowed = Files.writeString(tmp.resolve("allowed_signers"), "# team\n" + bob.allowedSigner("bob@example.com") + "\n");
    CommitSignatures verifier = new CommitSignatures(TrustedSigners.read(List.of(allowed)));
    assertThat(verifier.trusted().sshAllowedSigners()).containsExactly(allowed);

    remote.write("a.txt", "a");
    RevCommit good = bob.commit(remote.git(), "signed by bob");
    CommitSignature s = verifier.verify(repo, good.name());
    assertThat(s).isInstanceOf(CommitSignature.Trusted.class);
    assertThat(((CommitSignature.Trusted) s).signer()).isEqualTo("bob@example.com");
    assertThat(((CommitSignature.Trusted) s).key()).startsWith("SHA256:");
    assertThat(s.describe()).startsWith("signed by bob@example.com (ssh key SHA256:");

    remote.write("a.txt", "b");
    RevCommit other = eve.commit(remote.git(), "signed by eve");
    CommitSignature u = verifier.verify(repo, other.name());
    assertThat(u).isInstanceOf(CommitSignature.Untrusted.class);
    assertThat(u.describe()).endsWith("its key is not in the repo's SSH allowed signers");
    assertThat(new CommitSignatures(TrustedSigners.none()).verify(repo, good.name()).result()).isEqualTo("untrusted");

    // Added to the allowed signers file: JGit re-reads it.
    Files.writeString(allowed, eve.allowedSigner("eve@example.com") + "\n", java.nio.file.StandardOpenOption.APPEND);
    Files.setLastModifiedTime(allowed, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    assertThat(verifier.verify(repo, other.name()).trusted()).isTrue();
  }

  @Test
  void aKeyFileThatIsNotOneIsRefused() throws Exception {
    Path bogus = Files.writeString(tmp.resolve("bogus.asc"), "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnonsense\n");
    assertThatThrownBy(() -> TrustedSigners.read(List.of(bogus))).isInstanceOf(OpenPgpKeys.InvalidKeyFileException.class)
        .hasMessageContaining("cannot read OpenPGP public keys from " + bogus);
    assertThatThrownBy(() -> TrustedSigners.read(List.of(tmp.resolve("missing"))))
        .hasMessage("cannot read key file " + tmp.resolve("missing") + ": not found");
    // Not armored, so an allowed-signers file: parsed by JGit's parser, which names the bad line.
    Path garbled = Files.writeString(tmp.resolve("allowed"), "# signers\nalice@example.com ssh-ed25519\n");
    assertThatThrownBy(() -> TrustedSigners.read(List.of(garbled))).isInstanceOf(OpenPgpKeys.InvalidKeyFileException.class)
        .hasMessageStartingWith("the allowed-signers file " + garbled + " cannot be parsed: ")
        .hasMessageContaining("line 2");
  }
}
