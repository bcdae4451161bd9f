package dev.swerl.sandbox.testing;

import dev.swerl.sandbox.files.ElfFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A minimal root file system for tests, made from the host's static busybox ({@code busybox-static}):
 * {@code /bin/busybox} with a link per applet, {@code /etc/passwd}, and empty {@code /tmp}, {@code /root}.
 * No registry, no network: everything comes from the host.
 */
public final class BusyboxRootfs {
  private static final Path BUSYBOX = Path.of("/bin/busybox");

  private BusyboxRootfs() {}

  /** Whether the host has a static busybox to build from; tests skip with this reason when it has not. */
  public static boolean available() {
    return Files.isExecutable(BUSYBOX) && isStatic();
  }

  /** Why {@link #available()} is false, for an assumption message. */
  public static String unavailableReason() {
    return "no static busybox at " + BUSYBOX + ": install busybox-static (bash .ci/run does)";
  }

  /** Builds the tree into {@code root} (created if missing) and returns it. */
  public static Path build(Path root) throws IOException, InterruptedException {
    Path bin = Files.createDirectories(root.resolve("bin"));
    Files.copy(BUSYBOX, bin.resolve("busybox"));
    Process list = new ProcessBuilder(BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
    List<String> applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    list.waitFor();
    for (String applet : applets) {
      if (!applet.isBlank() && !applet.equals("busybox")) {
        Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
      }
    }
    Files.createDirectories(root.resolve("usr/bin"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
    Files.createDirectories(root.resolve("root"));
    Files.createDirectories(root.resolve("tmp"));
    return root;
  }

  /** Builds the tree and packs it as a tarball at {@code tarball}, returning it. */
  public static Path tarball(Path work, Path tarball) throws IOException, InterruptedException {
    Path root = build(work.resolve("busybox-rootfs"));
    Process tar = new ProcessBuilder("tar", "-c", "-f", tarball.toString(), "-C", root.toString(), ".")
        .redirectErrorStream(true).start();
    String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (tar.waitFor() != 0) {
      throw new IOException("tar failed: " + out);
    }
    return tarball;
  }

  private static boolean isStatic() {
    try {
      // A dynamic program names its loader in a PT_INTERP header; a static one has none.
      return ElfFiles.interpreter(BUSYBOX) == null;
    } catch (IOException e) {
      return false;
    }
  }
}
