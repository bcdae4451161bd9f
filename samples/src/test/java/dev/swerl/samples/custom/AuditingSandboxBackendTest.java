package dev.swerl.samples.custom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.api.sandbox.SandboxBackends;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditingSandboxBackendTest {

  @Test
  void isFoundByNameThroughServiceLoaderButNeverChosenByDefault() {
    SandboxBackend backend = SandboxBackends.named("audit");
    assertInstanceOf(AuditingSandboxBackend.class, backend);
    assertTrue(SandboxBackends.all().stream().anyMatch(b -> b.name().equals("local")));
    String best = SandboxBackends.all().stream().filter(b -> b.availability().available())
        .filter(b -> !b.name().equals("audit")).findFirst().orElseThrow().name();
    assertEquals(best, SandboxBackends.defaultBackend().name(), "every available built-in must win over audit");
  }

  @Test
  void logsEveryCommandOnOneLineEach(@TempDir Path dir) throws IOException {
    Path log = dir.resolve("audit.log");
    AuditingSandboxBackend backend = new AuditingSandboxBackend(new LocalSandboxBackend(), log);
    String id;
    try (Sandbox sandbox = backend.create(SandboxSpec.builder().build())) {
      id = sandbox.id();
      assertEquals("audit", sandbox.backendName());
      sandbox.exec("echo 'two\nlines'");
      sandbox.exec("exit 7");
      sandbox.exec(ExecRequest.shell("sleep 60").toBuilder().timeout(Duration.ofMillis(300)).build());
    }
    List<String> lines = Files.readAllLines(log);
    assertEquals(5, lines.size(), String.join("\n", lines));
    assertTrue(lines.stream().allMatch(line -> line.contains(" " + id + " ")));
    assertTrue(lines.get(0).contains(" create backend=local"), lines.get(0));
    assertTrue(lines.get(1).contains("exec 'echo \\'two\\nlines\\'' ") && lines.get(1).contains(" exit=0 "), lines.get(1));
    assertTrue(lines.get(2).contains(" exit=7 "), lines.get(2));
    assertTrue(lines.get(3).contains(" timed-out "), lines.get(3));
    assertTrue(lines.get(4).endsWith(" close"), lines.get(4));
  }
}
