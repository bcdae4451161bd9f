package dev.swerl.sandbox.local;

import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.sandbox.testkit.SandboxContract;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The local backend keeps the sandbox contract (isolation cases are skipped: it claims none). */
class LocalSandboxContractTest extends SandboxContract {
  private final LocalSandboxBackend backend = new LocalSandboxBackend();

  @Override
  protected SandboxBackend backend() {
    return backend;
  }

  @Override
  protected List<String> leftoversAfterClose(Sandbox closed) {
    List<String> left = new ArrayList<>();
    LocalSandbox sandbox = (LocalSandbox) closed;
    if (Files.exists(sandbox.root())) {
      left.add("directory " + sandbox.root());
    }
    Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("swerl-" + sandbox.id() + "-"))
        .forEach(t -> left.add("thread " + t.getName()));
    return left;
  }
}
