package dev.swerl.sandbox.namespace;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.testkit.SandboxContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract once more with sandboxes started by the setup script, the path for hosts without a C compiler. */
class NamespaceScriptInitContractIT extends SandboxContract {
  private static NamespaceSandboxBackend backend;

  @BeforeAll
  static void scriptBackend() throws IOException {
    System.setProperty(NativeInit.MODE_PROPERTY, "script");
    try {
      backend = new NamespaceSandboxBackend(Files.createTempDirectory(Path.of("/var/tmp"), "swerl-ns-script-"));
    } finally {
      System.clearProperty(NativeInit.MODE_PROPERTY);
    }
    assumeTrue(backend.availability().available(), () -> "namespace backend unavailable: " + backend.availability().reason());
    assumeTrue(!Files.exists(backend.cacheDirectory().resolve("bin")), "the backend must not have built swerl-nsinit");
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
    return NamespaceSandboxContractIT.leftovers(closed);
  }
}
