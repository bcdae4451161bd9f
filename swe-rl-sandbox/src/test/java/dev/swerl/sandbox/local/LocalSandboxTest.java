package dev.swerl.sandbox.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackends;
import dev.swerl.api.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the local backend promises beyond the common contract: it stays inside its own directory. */
class LocalSandboxTest {

  @Test
  void isRegisteredAndAvailable() {
    assertEquals("local", SandboxBackends.named("local").name());
    assertTrue(new LocalSandboxBackend().availability().available());
  }

  @Test
  void makesItsDirectoryUnderTheConfiguredParentAndRemovesIt(@TempDir Path parent) {
    Path root;
    try (LocalSandbox sandbox = (LocalSandbox) new LocalSandboxBackend(parent).create(
        SandboxSpec.builder().workingDirectory("/testbed").build())) {
      root = sandbox.root();
      assertEquals(parent, root.getParent());
      assertEquals(root.resolve("testbed").toString(), sandbox.workingDirectory());
    }
    assertFalse(Files.exists(root));
  }

  @Test
  void refusesAbsolutePathsOutsideItsDirectory(@TempDir Path parent) {
    try (Sandbox sandbox = new LocalSandboxBackend(parent).create(SandboxSpec.builder().build())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sandbox.readFile("/etc/hostname"));
      assertTrue(e.getMessage().contains("outside this local sandbox"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> sandbox.writeFile(parent + "/sibling.txt", new byte[] {1}));
      assertFalse(Files.exists(parent.resolve("sibling.txt")));
    }
  }

  @Test
  void refusesSymbolicLinksThatLeadOut(@TempDir Path parent, @TempDir Path outside) throws IOException {
    Files.writeString(outside.resolve("secret.txt"), "host secret");
    try (Sandbox sandbox = new LocalSandboxBackend(parent).create(SandboxSpec.builder().build())) {
      ExecResult link = sandbox.exec(ExecRequest.argv("ln", "-s", outside.toString(), "escape"));
      assertEquals(0, link.exitCode(), link::stderrText);
      assertThrows(IllegalArgumentException.class, () -> sandbox.readFile("escape/secret.txt"));
      assertThrows(IllegalArgumentException.class, () -> sandbox.writeFile("escape/planted.txt", new byte[] {1}));
      assertThrows(IllegalArgumentException.class, () -> sandbox.writeFile("escape/new dir/planted.txt", new byte[] {1}));
      assertFalse(Files.exists(outside.resolve("planted.txt")));
      assertFalse(Files.exists(outside.resolve("new dir")));

      // A link as the last component is replaced by the written file, never written through.
      sandbox.exec(ExecRequest.argv("ln", "-s", outside.resolve("secret.txt").toString(), "file-link"));
      sandbox.writeString("file-link", "mine");
      assertEquals("host secret", Files.readString(outside.resolve("secret.txt")));
      assertEquals("mine", sandbox.readString("file-link"));
    }
  }

  @Test
  void closeWhileACommandRunsEndsIt() throws Exception {
    Sandbox sandbox = new LocalSandboxBackend().create(SandboxSpec.builder().build());
    Thread closer = Thread.ofVirtual().start(() -> {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sandbox.close();
    });
    ExecResult result = sandbox.exec(ExecRequest.shell("sleep 600").toBuilder().timeout(Duration.ofMinutes(5)).build());
    closer.join();
    assertFalse(result.succeeded(), "the command was killed by close, so it did not succeed");
    assertTrue(result.wallTime().compareTo(Duration.ofMinutes(1)) < 0, "close must end a running command");
  }
}
