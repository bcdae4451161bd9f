package dev.swerl.sandbox.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swerl.sandbox.files.FileTrees;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The namespace backend without root: the whole contract kit runs once more in a child JVM as the
 * unprivileged user {@code nobody} (through {@code setpriv}), where the sandbox's root is a user namespace
 * mapped to that user. Where the kernel forbids unprivileged user namespaces, the test is skipped and
 * shows the backend's own error, which must say what the host lacks.
 */
class NamespaceRootlessIT {
  private static final String NOBODY = "65534";

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void contractPassesAsAnUnprivilegedUser() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")),
        "already unprivileged: the ordinary contract run is the rootless run");
    Path work = Files.createTempDirectory(Path.of("/var/tmp"), "swerl-rootless-");
    try {
      String classpath = readableCopyOfClasspath(work);
      List<String> command = List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups",
          "--reset-env", "env", "HOME=" + work, ProcessHandle.current().info().command().orElse("java"),
          "-Duser.name=nobody", "-Djava.io.tmpdir=" + work.resolve("tmp"), "-cp", classpath,
          RootlessContractMain.class.getName());
      Files.createDirectories(work.resolve("tmp"));
      Files.setPosixFilePermissions(work.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
      Process child = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
      child.getOutputStream().close();
      String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int exit = child.waitFor();
      System.out.println(output);
      assumeTrue(exit != 3, () -> "the namespace backend cannot work unprivileged on this host: "
          + output.substring(output.indexOf("UNAVAILABLE") + "UNAVAILABLE".length()).strip());
      assertTrue(output.contains("user nobody") && output.contains("probe: 0 inside"),
          "the child must run as nobody and be root inside its sandbox:\n" + output);
      assertEquals(0, exit, "the contract must pass unprivileged:\n" + output);
    } finally {
      FileTrees.deleteRecursively(work);
    }
  }

  /** The test class path, copied where the unprivileged user can read it (the build's may sit under /root). */
  private static String readableCopyOfClasspath(Path work) throws IOException {
    String source = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> entries = new ArrayList<>();
    int index = 0;
    for (String entry : source.split(File.pathSeparator)) {
      Path from = Path.of(entry);
      if (!Files.exists(from)) {
        continue;
      }
      Path to = work.resolve("cp").resolve((index++) + "-" + from.getFileName());
      Files.createDirectories(to.getParent());
      FileTrees.copy(from, to);
      entries.add(to.toString());
    }
    Process chmod = new ProcessBuilder("chmod", "-R", "a+rX", work.toString()).inheritIO().start();
    try {
      chmod.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return String.join(File.pathSeparator, entries);
  }
}
