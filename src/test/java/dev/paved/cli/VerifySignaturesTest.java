package dev.paved.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.paved.source.TestSigners;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code paved validate|diff --verify-signatures KEYS} on real signed commits. */
class VerifySignaturesTest {

  @TempDir
  Path work;
  Path repo;
  Path config;
  Git git;
  String base;

  @BeforeEach
  void baseCommit() throws Exception {
    repo = work.resolve("repo");
    config = repo.resolve("config");
    ExamplesTest.copy(ExamplesTest.PLATFORM, config);
    git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call();
    git.add().addFilepattern(".").call();
    base = git.commit().setMessage("base").setAuthor("Dev", "dev@example.com").setCommitter("Dev", "dev@example.com")
        .setSign(false).call().getName();
  }

  @AfterEach
  void close() {
    git.close();
  }

  private void edit() throws Exception {
    Path p = config.resolve("services/catalog/env/dev.yaml");
    Files.writeString(p, Files.readString(p).replace("tag: 3.6.0", "tag: 9.9.9"));
  }

  @Test
  void validateReportsHeadsSignatureAndFailsWhenItIsNotTrusted() throws Exception {
    TestSigners.Gpg alice = TestSigners.gpg("Alice <alice@example.com>");
    Path aliceKey = alice.write(work.resolve("alice.asc"));
    TestSigners.Ssh bob = TestSigners.ssh(work.resolve("id_bob"));
    Path allowed = Files.writeString(work.resolve("allowed_signers"), bob.allowedSigner("bob@example.com") + "\n");

    Cli unsigned = Cli.run("validate", config.toString(), "--verify-signatures", aliceKey + "," + allowed);
    assertThat(unsigned.exit()).as(unsigned.err()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(unsigned.out()).contains("signature of HEAD (" + base.substring(0, 7) + "): unsigned [not trusted:"
        + " a daemon with signatures.verify: enforce would not apply it]").contains("OK: 0 error(s)");

    edit();
    alice.commit(git, "signed by alice");
    Cli gpg = Cli.run("validate", config.toString(), "--verify-signatures", aliceKey.toString());
    assertThat(gpg.exit()).as(gpg.out() + gpg.err()).isEqualTo(ExitCodes.OK);
    assertThat(gpg.out()).contains("): signed by Alice <alice@example.com> (openpgp key " + alice.fingerprint() + ")");
    // Signed, but not by a key given: a finding.
    Cli other = Cli.run("validate", config.toString(), "--verify-signatures", allowed.toString());
    assertThat(other.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(other.out()).contains("signed by an untrusted openpgp key " + alice.fingerprint());

    Files.writeString(config.resolve("README.md"), "ssh\n");
    bob.commit(git, "signed by bob");
    Cli ssh = Cli.run("validate", config.toString(), "--verify-signatures", aliceKey.toString(), "--verify-signatures",
        allowed.toString(), "--format", "json");
    assertThat(ssh.exit()).as(ssh.out() + ssh.err()).isEqualTo(ExitCodes.OK);
    assertThat(ssh.out()).contains("\"result\" : \"trusted\"").contains("\"signer\" : \"bob@example.com\"")
        .contains("\"format\" : \"ssh\"");
  }

  @Test
  void diffReportsTheHeadCommitsSignature() throws Exception {
    TestSigners.Ssh bob = TestSigners.ssh(work.resolve("id_bob"));
    TestSigners.Ssh eve = TestSigners.ssh(work.resolve("id_eve"));
    Path allowed = Files.writeString(work.resolve("allowed_signers"), bob.allowedSigner("bob@example.com") + "\n");
    edit();
    eve.commit(git, "signed by eve");
    Cli untrusted = Cli.run("diff", "--base", base, config.toString(), "--verify-signatures", allowed.toString());
    assertThat(untrusted.exit()).isEqualTo(ExitCodes.FINDINGS);
    assertThat(untrusted.out()).contains("signature of HEAD (").contains("signed by an untrusted ssh key SHA256:")
        .contains("its key is not in the repo's SSH allowed signers")
        .contains("~ Deployment/storefront-dev/catalog");

    Files.writeString(config.resolve("README.md"), "bob\n");
    bob.commit(git, "signed by bob");
    Cli trusted = Cli.run("diff", "--base", base, config.toString(), "--verify-signatures", allowed.toString(),
        "--format", "json");
    assertThat(trusted.exit()).as(trusted.err()).isEqualTo(ExitCodes.OK);
    assertThat(trusted.out()).contains("\"signature\"").contains("\"signer\" : \"bob@example.com\"");
  }

  @Test
  void unreadableKeysAreAUsageError() throws Exception {
    Cli r = Cli.run("validate", config.toString(), "--verify-signatures", work.resolve("nope.asc").toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("--verify-signatures: cannot read key file " + work.resolve("nope.asc") + ": not found");
    Path notGit = work.resolve("plain");
    ExamplesTest.copy(ExamplesTest.PLATFORM, notGit);
    Path empty = Files.writeString(work.resolve("empty_signers"), "");
    Cli none = Cli.run("validate", config.toString(), "--verify-signatures", empty.toString());
    assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(none.err()).contains("--verify-signatures: the allowed-signers file " + empty + " names no signer");
    Path allowed = Files.writeString(work.resolve("allowed_signers"), "alice@example.com ssh-ed25519\n");
    Cli garbled = Cli.run("validate", config.toString(), "--verify-signatures", allowed.toString());
    assertThat(garbled.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(garbled.err()).contains("--verify-signatures: the allowed-signers file " + allowed
        + " cannot be parsed: problem at line 1");
    Files.writeString(allowed, "alice@example.com " + dev.paved.source.TestSigners.ssh(work.resolve("k")).publicKey()
        + "\n");
    Cli outside = Cli.run("validate", notGit.toString(), "--verify-signatures", allowed.toString());
    assertThat(outside.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(outside.err()).contains("is not inside a git repository");
  }
}
