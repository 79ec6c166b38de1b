/**
 * Where config comes from: a directory on disk or a git revision, read into an immutable
 * {@link dev.paved.source.ConfigTree} (path to bytes, or to the reason a file cannot be read).
 *
 * <p>Owns all file and git I/O of the config side. Guards that belong to reading (files too
 * large, symlinks that leave the repo) are recorded here as per-file problems, never thrown,
 * so the loader can report them with the other errors. Also the remote side: a
 * {@link dev.paved.source.GitMirror} keeps a bare mirror of a remote branch (incremental fetch,
 * credentials from environment variables or files; each commit read from the tree read before
 * it: only the blobs that differ, the other files shared) and a {@link dev.paved.source.Reverter}
 * reverts a commit and pushes the revert (the merge in {@link dev.paved.source.RevertMerge}, the
 * sub-directory rules in {@link dev.paved.source.RevertScope}, the commit in {@link
 * dev.paved.source.RevertCommit}); failures are typed
 * {@link dev.paved.source.GitSourceException} subclasses whose messages never hold a secret.
 * Commit signatures: {@link dev.paved.source.CommitSignatures} judges a commit against a repo's
 * {@link dev.paved.source.TrustedSigners} with JGit's own verifiers (a typed
 * {@link dev.paved.source.CommitSignature}); {@link dev.paved.source.RevertCommit} signs reverts with
 * JGit's SSH signer. May call: {@code secret} (the scrubber, which learns each secret as it is
 * read), JGit (with its Apache MINA sshd transport and SSH signatures, and {@code gpg.bc}: Bouncy
 * Castle, also to read OpenPGP public key files), the JDK. Nothing in Paved depends on
 * how a tree was read.
 */
package dev.paved.source;
