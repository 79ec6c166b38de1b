package dev.paved.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Date;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.GpgConfig;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * Real keys and real signed commits for tests: OpenPGP key pairs made with Bouncy Castle (their
 * secret halves in the legacy {@code secring.gpg} of the keyring home JGit's
 * {@code BouncyCastleGpgSigner} reads), ed25519 SSH keys made with Apache MINA sshd; commits
 * signed by JGit's own signers.
 */
public final class TestSigners {

  private TestSigners() {}

  /** An OpenPGP key: {@code armored()} is its public key file's text. */
  public record Gpg(String fingerprint, String userId, String armored, PGPSecretKeyRing secret) {
    /** Writes the armored public key to {@code file}. */
    public Path write(Path file) throws IOException {
      return Files.writeString(file, armored);
    }

    /** Commits every change of {@code git}'s work tree, signed by this key with JGit's BouncyCastleGpgSigner. */
    public RevCommit commit(Git git, String message) throws Exception {
      git.add().addFilepattern(".").call();
      git.add().addFilepattern(".").setUpdate(true).call();
      return sign(git.commit().setMessage(message).setAuthor(TestRemote.DEV).setCommitter(TestRemote.DEV)).call();
    }

    /** {@code commit}, set to be signed by this key with JGit's BouncyCastleGpgSigner. */
    public org.eclipse.jgit.api.CommitCommand sign(org.eclipse.jgit.api.CommitCommand commit) {
      return commit.setSign(true).setGpgConfig(new GpgConfig(new Config())).setSigningKey("0x" + fingerprint);
    }

    /**
     * An attack: a commit on {@code parent} signed by this key, its signature naming
     * {@code claimed}'s fingerprint and key id (signer user id {@code dev@example.com}).
     */
    public org.eclipse.jgit.lib.ObjectId forge(org.eclipse.jgit.lib.Repository repo, RevCommit parent, Gpg claimed,
        String message) throws Exception {
      org.eclipse.jgit.lib.CommitBuilder cb = new org.eclipse.jgit.lib.CommitBuilder();
      cb.setTreeId(parent.getTree());
      cb.setParentId(parent);
      cb.setAuthor(TestRemote.DEV);
      cb.setCommitter(TestRemote.DEV);
      cb.setMessage(message);
      byte[] data = cb.build();
      PGPSignatureGenerator gen = new PGPSignatureGenerator(new JcaPGPContentSignerBuilder(
          PublicKeyAlgorithmTags.RSA_GENERAL, HashAlgorithmTags.SHA256));
      gen.init(PGPSignature.BINARY_DOCUMENT, secret.getSecretKey().extractPrivateKey(null));
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setSignatureCreationTime(false, new Date());
      hashed.setIssuerFingerprint(false, claimed.secret().getPublicKey());
      hashed.setSignerUserID(false, "dev@example.com");
      gen.setHashedSubpackets(hashed.generate());
      PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
      unhashed.setIssuerKeyID(false, claimed.secret().getPublicKey().getKeyID());
      gen.setUnhashedSubpackets(unhashed.generate());
      gen.update(data);
      ByteArrayOutputStream armored = new ByteArrayOutputStream();
      try (ArmoredOutputStream a = new ArmoredOutputStream(armored)) {
        gen.generate().encode(a);
      }
      cb.setGpgSignature(new org.eclipse.jgit.lib.GpgSignature(armored.toByteArray()));
      try (var ins = repo.newObjectInserter()) {
        var id = ins.insert(cb);
        ins.flush();
        return id;
      }
    }
  }

  /** An SSH key: its private key file (OpenSSH format) and its public key line. */
  public record Ssh(Path privateKey, String publicKey) {
    /** An allowed-signers line: {@code principal namespaces="git" <public key>}. */
    public String allowedSigner(String principal) {
      return principal + " namespaces=\"git\" " + publicKey;
    }

    /** Commits every change, signed by this key with JGit's SshSigner. */
    public RevCommit commit(Git git, String message) throws Exception {
      git.add().addFilepattern(".").call();
      git.add().addFilepattern(".").setUpdate(true).call();
      return sign(git.commit().setMessage(message).setAuthor(TestRemote.DEV).setCommitter(TestRemote.DEV)).call();
    }

    /** {@code commit}, set to be signed by this key with JGit's SshSigner. */
    public org.eclipse.jgit.api.CommitCommand sign(org.eclipse.jgit.api.CommitCommand commit) {
      Config c = new Config();
      c.setString("gpg", null, "format", "ssh");
      return commit.setSign(true).setGpgConfig(new GpgConfig(c)).setSigningKey(privateKey.toString());
    }
  }

  /** A new OpenPGP key (RSA 2048, certify + sign) for {@code userId}, usable by JGit's signer. */
  public static synchronized Gpg gpg(String userId) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    PGPKeyPair pair = new JcaPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, g.generateKeyPair(), new Date());
    PGPSignatureSubpacketGenerator flags = new PGPSignatureSubpacketGenerator();
    flags.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
    var sha1 = new JcaPGPDigestCalculatorProviderBuilder().build().get(HashAlgorithmTags.SHA1);
    PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, userId, sha1,
        flags.generate(), null, new JcaPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL,
            HashAlgorithmTags.SHA256), null);
    PGPSecretKeyRing secret = rings.generateSecretKeyRing();
    PGPPublicKeyRing pub = rings.generatePublicKeyRing();
    // JGit's signer reads secret keys from the keyring home JGit uses (Paved's, in a test JVM).
    Path secring = OpenPgpKeyring.home().resolve("secring.gpg");
    try (OutputStream out = Files.newOutputStream(secring, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND)) {
      secret.encode(out);
    }
    ByteArrayOutputStream armored = new ByteArrayOutputStream();
    try (ArmoredOutputStream a = new ArmoredOutputStream(armored)) {
      pub.encode(a);
    }
    assert SymmetricKeyAlgorithmTags.NULL == secret.getSecretKey().getKeyEncryptionAlgorithm();
    return new Gpg(OpenPgpKeys.hex(pub.getPublicKey().getFingerprint()), userId, armored.toString(), secret);
  }

  /** A new ed25519 SSH key, its private half written (unencrypted, OpenSSH format) to {@code file}. */
  public static Ssh ssh(Path file) throws Exception {
    KeyPair pair = KeyUtils.generateKeyPair(KeyPairProvider_ED25519, 256);
    try (OutputStream out = Files.newOutputStream(file)) {
      OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "test", null, out);
    }
    return new Ssh(file, PublicKeyEntry.toString(pair.getPublic()));
  }

  private static final String KeyPairProvider_ED25519 = org.apache.sshd.common.keyprovider.KeyPairProvider.SSH_ED25519;
}
