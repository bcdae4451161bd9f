package dev.swerl.samples;

import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.api.sandbox.SandboxBackends;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.samples.custom.AuditingSandboxBackend;
import java.io.IOException;
import java.nio.file.Files;

/**
 * Selects the custom {@code audit} backend by name (it is registered through {@link java.util.ServiceLoader}
 * in this module's {@code META-INF/services}), runs a few commands, and prints the audit log it wrote.
 *
 * <p>Run it with {@code ./mvnw -q -pl samples exec:java -Dexec.mainClass=dev.swerl.samples.CustomBackendExample}.
 */
public final class CustomBackendExample {
  private CustomBackendExample() {}

  public static void main(String[] args) throws IOException {
    SandboxBackend backend = SandboxBackends.named("audit");
    String id;
    try (Sandbox sandbox = backend.create(SandboxSpec.builder().build())) {
      id = sandbox.id();
      sandbox.exec("echo hello from $(uname -s)");
      sandbox.exec("ls -la");
      sandbox.exec("exit 3");
    }
    AuditingSandboxBackend audit = (AuditingSandboxBackend) backend;
    System.out.println("audit log " + audit.log() + ", this run's lines:");
    Files.readAllLines(audit.log()).stream().filter(line -> line.contains(" " + id + " ")).forEach(System.out::println);
  }
}
