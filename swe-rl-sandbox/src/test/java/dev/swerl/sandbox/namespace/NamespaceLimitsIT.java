package dev.swerl.sandbox.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.ResourceLimits;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxCapability;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.process.ProcTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Resource limits from the spec are enforced by the kernel through control groups. */
class NamespaceLimitsIT {
  private static NamespaceSandboxBackend backend;

  @BeforeAll
  static void backendCanLimit() throws IOException {
    backend = new NamespaceSandboxBackend(Files.createTempDirectory(Path.of("/var/tmp"), "swerl-ns-limits-"));
    assumeTrue(backend.availability().available(), () -> "namespace backend unavailable: " + backend.availability().reason());
    assumeTrue(backend.capabilities().contains(SandboxCapability.RESOURCE_LIMITS),
        "this host gives no usable control groups (memory, pids, cpu): limits cannot be enforced here");
  }

  @AfterAll
  static void deleteCache() throws IOException {
    FileTrees.deleteRecursively(backend.cacheDirectory());
  }

  @Test
  void processLimitStopsForks() {
    SandboxSpec spec = SandboxSpec.builder().shell("sh", "-c").limits(ResourceLimits.NONE.withMaxProcesses(40)).build();
    String marker;
    try (Sandbox sandbox = backend.create(spec)) {
      marker = NamespaceSandbox.SANDBOX_MARKER + "=" + sandbox.id();
      // The shell gives up at the first fork the kernel refuses; the sleeps it started live on.
      ExecResult result = sandbox.exec(ExecRequest.shell("for i in $(seq 100); do sleep 30 & done; echo all started")
          .toBuilder().timeout(Duration.ofSeconds(60)).build());
      assertFalse(result.stdoutText().contains("all started"), "100 processes must not fit under a limit of 40");
      long alive = ProcTable.find(e -> e.hasEnv(marker) && !e.zombie()).size();
      assertTrue(alive <= 40, "at most 40 processes may run in the sandbox, found " + alive);
      assertTrue(alive >= 20, "the limit must leave room for ordinary work, found only " + alive);
    }
    assertEquals(0, ProcTable.find(e -> e.hasEnv(marker) && !e.zombie()).size(), "close ends a sandbox at its limit");
  }

  @Test
  void memoryLimitKillsTheHog() {
    try (Sandbox sandbox = backend.create(SandboxSpec.builder().limits(ResourceLimits.NONE.withMemoryBytes(64L << 20)).build())) {
      // A command substitution keeps all of its output in the shell's memory.
      ExecResult hog = sandbox.exec(ExecRequest.shell("x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo ${#x}")
          .toBuilder().timeout(Duration.ofSeconds(60)).build());
      assertFalse(hog.succeeded(), "a 256 MiB allocation under a 64 MiB limit must fail");
      assertEquals("fine\n", sandbox.exec("echo fine").stdoutText(), "the sandbox lives on after the OOM kill");
    }
  }

  @Test
  void unlimitedSandboxesAreNotLimited() {
    try (Sandbox sandbox = backend.create(SandboxSpec.builder().build())) {
      ExecResult result = sandbox.exec(ExecRequest.shell("x=$(head -c 268435456 /dev/zero | tr '\\0' a); echo ${#x}")
          .toBuilder().timeout(Duration.ofSeconds(60)).build());
      assertEquals("268435456", result.stdoutText().trim(), result.stderrText());
    }
  }
}
