package dev.swerl.samples.custom;

import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.sandbox.local.LocalSandboxBackend;
import dev.swerl.sandbox.testkit.SandboxContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The custom backend proves itself the way every backend does: by passing the contract kit. */
class AuditingSandboxBackendContractTest extends SandboxContract {
  private static Path log;

  @BeforeAll
  static void createLog() throws IOException {
    log = Files.createTempFile("audit", ".log");
  }

  @AfterAll
  static void deleteLog() throws IOException {
    Files.deleteIfExists(log);
  }

  @Override
  protected SandboxBackend backend() {
    return new AuditingSandboxBackend(new LocalSandboxBackend(), log);
  }
}
