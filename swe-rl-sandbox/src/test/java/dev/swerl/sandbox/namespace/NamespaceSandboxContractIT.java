package dev.swerl.sandbox.namespace;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swerl.api.sandbox.Availability;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.process.ProcTable;
import dev.swerl.sandbox.testkit.SandboxContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The namespace backend keeps the whole contract, isolation included, on the host base layer. */
class NamespaceSandboxContractIT extends SandboxContract {
  private static NamespaceSandboxBackend backend;

  @BeforeAll
  static void backendIsAvailable() throws Exception {
    backend = new NamespaceSandboxBackend(Files.createTempDirectory(Path.of("/var/tmp"), "swerl-ns-contract-"));
    Availability availability = backend.availability();
    assumeTrue(availability.available(), () -> "namespace backend unavailable here: " + availability.reason());
  }

  @AfterAll
  static void deleteCache() throws IOException {
    FileTrees.deleteRecursively(backend.cacheDirectory());
  }

  @Override
  protected SandboxBackend backend() {
    return backend;
  }

  @Override
  protected List<String> leftoversAfterClose(Sandbox closed) {
    return leftovers(closed);
  }

  /** What a closed namespace sandbox may have left: its run directory, its init process. */
  static List<String> leftovers(Sandbox closed) {
    NamespaceSandbox sandbox = (NamespaceSandbox) closed;
    List<String> left = new ArrayList<>();
    if (Files.exists(sandbox.runDirectory())) {
      left.add("run directory " + sandbox.runDirectory());
    }
    ProcTable.Entry init = ProcTable.get(sandbox.initPid());
    if (init != null && !init.zombie()) {
      left.add("init process " + sandbox.initPid());
    }
    return left;
  }
}
