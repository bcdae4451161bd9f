package dev.swerl.sandbox.git;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.local.LocalSandboxBackend;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Diff and apply round-trip any change to a repository, binary files and deletions included. */
class GitPatchesTest {
  private static final LocalSandboxBackend BACKEND = new LocalSandboxBackend();
  private static final SandboxSpec SPEC = SandboxSpec.builder().shell("sh", "-c")
      .env("GIT_AUTHOR_NAME", "t").env("GIT_AUTHOR_EMAIL", "t@t").env("GIT_COMMITTER_NAME", "t")
      .env("GIT_COMMITTER_EMAIL", "t@t")
      // Fixed dates: the two sandboxes must make the very same base commit.
      .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z").env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z").build();

  /** A base repository: a few text and binary files, committed. Returns the commit. */
  private static String base(Sandbox sandbox, long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 4; i++) {
      StringBuilder text = new StringBuilder();
      for (int line = 0; line < 30; line++) {
        text.append("file ").append(i).append(" line ").append(line).append(' ').append(random.nextInt(1000)).append('\n');
      }
      sandbox.writeString("repo/src/text" + i + ".txt", text.toString());
      byte[] blob = new byte[2000];
      random.nextBytes(blob);
      sandbox.writeFile("repo/bin/blob" + i + ".bin", blob);
    }
    run(sandbox, "cd repo && git init -q && git add -A && git commit -qm base");
    return run(sandbox, "cd repo && git rev-parse HEAD").stdoutText().trim();
  }

  /** One random change: edit a text file, replace a binary, add a file with spaces, delete a file. */
  private static void change(Sandbox sandbox, int kind, long seed) {
    Random random = new Random(seed);
    int n = random.nextInt(4);
    switch (kind) {
      case 0 -> run(sandbox, "cd repo && f=src/text" + n + ".txt && if [ -f $f ]; then sed -i '"
          + (1 + random.nextInt(30)) + "s/.*/edited " + seed + "/' $f; fi");
      case 1 -> {
        byte[] blob = new byte[random.nextInt(5000)];
        random.nextBytes(blob);
        sandbox.writeFile("repo/bin/blob" + n + ".bin", blob);
      }
      case 2 -> sandbox.writeString("repo/new dir/new file " + seed + ".txt", "new " + seed + "\nno newline at end");
      case 3 -> run(sandbox, "cd repo && rm -f src/text" + n + ".txt");
      default -> throw new IllegalArgumentException("kind " + kind);
    }
  }

  private static ExecResult run(Sandbox sandbox, String script) {
    ExecResult result = sandbox.exec(ExecRequest.shell(script).toBuilder().mergeStderr(true).build());
    assertEquals(0, result.exitCode(), () -> script + ": " + result.stdoutText());
    return result;
  }

  /** A listing of every file with its content hash: equal listings mean equal trees. */
  private static String tree(Sandbox sandbox) {
    return run(sandbox, "cd repo && find . -path ./.git -prune -o -type f -print | LC_ALL=C sort | xargs -d '\\n' sha256sum")
        .stdoutText();
  }

  @Test
  void diffThenApplyReproducesTheTree() {
    qt().withExamples(12).forAll(lists().of(integers().between(0, 3)).ofSizeBetween(0, 6), integers().all())
        .checkAssert((kinds, seed) -> {
          try (Sandbox agent = BACKEND.create(SPEC); Sandbox judge = BACKEND.create(SPEC)) {
            String commit = base(agent, seed);
            assertEquals(commit, base(judge, seed), "both start from the same commit");
            for (int i = 0; i < kinds.size(); i++) {
              change(agent, kinds.get(i), seed + i);
            }
            byte[] patch = GitPatches.diff(agent, agent.workingDirectory() + "/repo", commit);
            GitPatches.Applied applied = GitPatches.apply(judge, judge.workingDirectory() + "/repo", patch);
            assertTrue(applied.applied(), applied.log());
            assertEquals(tree(agent), tree(judge), "the judged tree must equal the agent's");
            assertEquals(kinds.isEmpty(), patch.length == 0, "no change, no patch");
          }
        });
  }

  @Test
  void diffLeavesTheAgentsIndexAlone() {
    try (Sandbox sandbox = BACKEND.create(SPEC)) {
      String commit = base(sandbox, 1);
      sandbox.writeString("repo/untracked.txt", "u");
      GitPatches.diff(sandbox, sandbox.workingDirectory() + "/repo", commit);
      assertEquals("?? untracked.txt\n", run(sandbox, "cd repo && git status --porcelain").stdoutText());
    }
  }

  @Test
  void hugePatchesTravelAsFiles() {
    try (Sandbox agent = BACKEND.create(SPEC); Sandbox judge = BACKEND.create(SPEC)) {
      String commit = base(agent, 2);
      base(judge, 2);
      StringBuilder big = new StringBuilder();
      for (int i = 0; i < 200_000; i++) {
        big.append("generated line ").append(i).append('\n');
      }
      agent.writeString("repo/big.txt", big.toString());
      byte[] patch = GitPatches.diff(agent, agent.workingDirectory() + "/repo", commit);
      assertTrue(patch.length > 4_000_000, "a patch of " + patch.length + " bytes");
      GitPatches.Applied applied = GitPatches.apply(judge, judge.workingDirectory() + "/repo", patch);
      assertEquals(GitPatches.Method.GIT_APPLY, applied.method(), applied.log());
      assertArrayEquals(big.toString().getBytes(StandardCharsets.UTF_8), judge.readFile("repo/big.txt"));
    }
  }

  @Test
  void fuzzyAndFailingPatchesSaySo() {
    try (Sandbox sandbox = BACKEND.create(SPEC)) {
      base(sandbox, 3);
      String repo = sandbox.workingDirectory() + "/repo";
      assertEquals(GitPatches.Method.EMPTY, GitPatches.apply(sandbox, repo, " \n".getBytes(StandardCharsets.UTF_8)).method());
      byte[] nonsense = "--- a/none.txt\n+++ b/none.txt\n@@ -1 +1 @@\n-x\n+y\n".getBytes(StandardCharsets.UTF_8);
      GitPatches.Applied failed = GitPatches.apply(sandbox, repo, nonsense);
      assertEquals(GitPatches.Method.FAILED, failed.method());
      assertTrue(failed.log().contains("GIT_APPLY") && failed.log().contains("PATCH_FUZZ"), failed.log());
    }
  }
}
