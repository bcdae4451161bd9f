package dev.swerl.sandbox.git;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apiguardian.api.API;

/**
 * The two patch operations every sandbox needs, on any backend: the diff an agent submits, and applying a
 * patch someone else made. Patches move as files (through {@link Sandbox#writeFile} and
 * {@link Sandbox#readFile}), never through a command line, so their size and content do not matter.
 *
 * <pre>{@code
 * byte[] patch = GitPatches.diff(sandbox, "/testbed", task.baseCommit());
 * try (Sandbox fresh = backend.create(spec)) {
 *   GitPatches.Applied applied = GitPatches.apply(fresh, "/testbed", patch);
 * }
 * }</pre>
 *
 * <p>The sandbox needs {@code git} (and {@code patch} for the fallback) and a POSIX {@code sh}.
 */
@API(status = EXPERIMENTAL)
public final class GitPatches {
  private static final Duration TIMEOUT = Duration.ofMinutes(10);

  private GitPatches() {}

  /**
   * Everything in the working tree of {@code repository} that differs from {@code baseCommit}: changed,
   * added (untracked, unless ignored) and deleted files, binary files as git binary patches. Empty when
   * nothing changed. The index of the repository is left as it was.
   */
  public static byte[] diff(Sandbox sandbox, String repository, String baseCommit) {
    // Scratch files live in the repository's .git: reachable on every backend, never part of the diff.
    String out = repository + "/.git/swerl-diff-" + UUID.randomUUID() + ".patch";
    // A private index: the working tree is staged there, so the agent's own index is not touched.
    String script = "set -e; cd \"$1\"; export GIT_INDEX_FILE=\"$2.index\"; git read-tree \"$3\"; git add -A;"
        + " git diff --cached --binary --full-index --no-color --no-ext-diff \"$3\" > \"$2\"; rm -f \"$2.index\"";
    ExecResult result = sandbox.exec(ExecRequest.argv("sh", "-c", script, "sh", repository, out, baseCommit)
        .toBuilder().timeout(TIMEOUT).build());
    if (!result.succeeded()) {
      throw SandboxException.of(sandbox.id(), "git diff against " + baseCommit + " failed in " + repository + ": "
          + result.outputText().strip(), null);
    }
    try {
      return sandbox.readFile(out);
    } finally {
      sandbox.exec(ExecRequest.argv("rm", "-f", out));
    }
  }

  /** {@link #diff} decoded as UTF-8 (malformed bytes replaced): what SWE-bench's {@code model_patch} holds. */
  public static String diffText(Sandbox sandbox, String repository, String baseCommit) {
    return new String(diff(sandbox, repository, baseCommit), StandardCharsets.UTF_8);
  }

  /** How a patch was applied. */
  public enum Method {
    /** It was empty: nothing to apply. */
    EMPTY,
    /** {@code git apply} took it as it is. */
    GIT_APPLY,
    /** {@code git apply --reject} applied every hunk (it exits non-zero when it rejects any). */
    GIT_APPLY_REJECT,
    /** {@code patch --fuzz} applied it with some tolerance. */
    PATCH_FUZZ,
    /** Nothing could apply it. */
    FAILED
  }

  /**
   * The outcome of {@link #apply}.
   *
   * @param method which way worked, or {@link Method#FAILED}
   * @param log what each attempt printed, in order
   */
  public record Applied(Method method, String log) {
    public boolean applied() {
      return method != Method.FAILED;
    }
  }

  /**
   * Applies a unified diff to the working tree of {@code repository} the way the SWE-bench harness does:
   * {@code git apply}, then {@code git apply --reject}, then {@code patch --fuzz=5}, stopping at the first
   * that succeeds. As in the harness, a failed {@code --reject} attempt may leave some hunks applied before
   * {@code patch} tries; the log says what each attempt did.
   */
  public static Applied apply(Sandbox sandbox, String repository, byte[] patch) {
    if (isBlank(patch)) {
      return new Applied(Method.EMPTY, "empty patch: nothing to apply");
    }
    String file = repository + "/.git/swerl-apply-" + UUID.randomUUID() + ".patch";
    sandbox.writeFile(file, patch);
    StringBuilder log = new StringBuilder();
    try {
      List<Attempt> attempts = List.of(
          new Attempt(Method.GIT_APPLY, "git apply --verbose --whitespace=nowarn \"$2\""),
          new Attempt(Method.GIT_APPLY_REJECT, "git apply --verbose --reject --whitespace=nowarn \"$2\""),
          new Attempt(Method.PATCH_FUZZ, "patch --batch --forward --fuzz=5 -p1 --no-backup-if-mismatch -i \"$2\""));
      for (Attempt attempt : attempts) {
        ExecResult result = sandbox.exec(ExecRequest.argv("sh", "-c", "cd \"$1\" && " + attempt.script(), "sh",
            repository, file).toBuilder().timeout(TIMEOUT).mergeStderr(true).build());
        log.append("$ ").append(attempt.method()).append(" (exit ").append(result.exitCode()).append(")\n")
            .append(result.stdoutText());
        if (result.succeeded()) {
          return new Applied(attempt.method(), log.toString());
        }
      }
      return new Applied(Method.FAILED, log.toString());
    } finally {
      sandbox.exec(ExecRequest.argv("rm", "-f", file));
    }
  }

  private record Attempt(Method method, String script) {}

  private static boolean isBlank(byte[] patch) {
    for (byte b : patch) {
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return true;
  }
}
