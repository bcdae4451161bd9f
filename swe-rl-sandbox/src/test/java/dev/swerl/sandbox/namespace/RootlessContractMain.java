package dev.swerl.sandbox.namespace;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.swerl.api.sandbox.Availability;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.files.FileTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs the namespace contract in this JVM and prints a summary; {@link NamespaceRootlessIT} starts it as an
 * unprivileged user. Exit status: 0 all passed, 1 some failed, 3 the backend cannot work for this user.
 */
public final class RootlessContractMain {
  private RootlessContractMain() {}

  public static void main(String[] args) throws Exception {
    System.out.println("user " + System.getProperty("user.name"));
    Path cache = Files.createTempDirectory(Path.of("/var/tmp"), "swerl-rootless-probe-");
    try {
      NamespaceSandboxBackend backend = new NamespaceSandboxBackend(cache);
      Availability availability = backend.availability();
      if (!availability.available()) {
        System.out.println("UNAVAILABLE " + availability.reason());
        System.exit(3);
      }
      try (Sandbox sandbox = backend.create(SandboxSpec.builder().build())) {
        var id = sandbox.exec("id -u");
        System.out.println("probe: " + id.stdoutText().trim() + " inside" + (id.succeeded() ? "" : ", " + id.stderrText()));
      } catch (SandboxException e) {
        System.out.println("UNAVAILABLE " + e.getMessage());
        System.exit(3);
      }
    } finally {
      FileTrees.deleteRecursively(cache);
    }
    EngineExecutionResults results =
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(NamespaceSandboxContractIT.class)).execute();
    long passed = results.testEvents().succeeded().count();
    long skipped = results.testEvents().aborted().count() + results.testEvents().skipped().count();
    long failed = results.testEvents().failed().count();
    System.out.println("contract: " + passed + " passed, " + skipped + " skipped, " + failed + " failed");
    for (Event event : results.testEvents().aborted().list()) {
      System.out.println("SKIPPED " + name(event));
    }
    for (Event event : results.testEvents().failed().list()) {
      System.out.println("FAILED " + name(event) + ": " + event.getPayload(org.junit.platform.engine.TestExecutionResult.class)
          .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable).map(Throwable::toString).orElse("?"));
    }
    System.exit(failed > 0 || passed == 0 ? 1 : 0);
  }

  private static String name(Event event) {
    return event.getTestDescriptor().getSource().orElse(null) instanceof MethodSource m
        ? m.getMethodName() : event.getTestDescriptor().getDisplayName();
  }
}
