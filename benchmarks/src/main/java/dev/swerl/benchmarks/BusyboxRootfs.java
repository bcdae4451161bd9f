package dev.swerl.benchmarks;

import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.layers.LayerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The one root file system every engine in the comparison benchmarks runs: the host's static
 * {@code busybox} with a symbolic link per applet, packed into a tarball that the namespace backend
 * unpacks as a layer and that Docker and Podman import as an image.
 *
 * <p>Built once under {@link #DIRECTORY} from {@code /bin/busybox} (or {@code -Dswerl.bench.busybox});
 * the images carry the tarball's SHA-256 as a label, so an image made from another tarball is replaced
 * rather than silently compared.
 *
 * <pre>{@code
 * Path tar = BusyboxRootfs.tarball();
 * BusyboxRootfs.ensureImage(ContainerCli.docker());
 * }</pre>
 */
final class BusyboxRootfs {
  /** Where the benchmarks keep what they generate; outside the repository, on the host's disk. */
  static final Path DIRECTORY = Path.of(System.getProperty("swerl.bench.dir", "/var/tmp/swerl-bench"));
  /** The image name Docker and Podman run. */
  static final String IMAGE = "swerl-bench-busybox:latest";

  private static final String LABEL = "swerl.bench.rootfs";
  private static final Path BUSYBOX = Path.of(System.getProperty("swerl.bench.busybox", "/bin/busybox"));

  private BusyboxRootfs() {}

  /** The rootfs tarball, built on first use. */
  static synchronized Path tarball() throws IOException, InterruptedException {
    Path tar = DIRECTORY.resolve("busybox-rootfs.tar");
    if (Files.isRegularFile(tar)) {
      return tar;
    }
    if (!Files.isExecutable(BUSYBOX)) {
      throw new IllegalStateException("no busybox at " + BUSYBOX + ": install busybox-static (a static busybox is "
          + "what makes one rootfs work in every engine), or point -Dswerl.bench.busybox at one");
    }
    Files.createDirectories(DIRECTORY);
    Path staging = Files.createTempDirectory(DIRECTORY, ".rootfs-");
    try {
      Path root = Files.createDirectory(staging.resolve("root"));
      for (String dir : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "proc", "dev", "sys", "root",
          "work")) {
        Files.createDirectories(root.resolve(dir));
      }
      Files.copy(BUSYBOX, root.resolve("bin/busybox"));
      for (String applet : Cli.run(List.of(BUSYBOX.toString(), "--list"), Duration.ofSeconds(30)).split("\n")) {
        Path link = root.resolve("bin").resolve(applet.strip());
        if (!applet.isBlank() && !Files.exists(link)) {
          Files.createSymbolicLink(link, Path.of("busybox"));
        }
      }
      Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
      Files.writeString(root.resolve("etc/group"), "root:x:0:\n");
      Path out = staging.resolve("rootfs.tar");
      Cli.run(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", root.toString(), "-cf", out.toString(),
          "."), Duration.ofMinutes(1));
      Files.move(out, tar, StandardCopyOption.ATOMIC_MOVE);
      return tar;
    } finally {
      FileTrees.deleteRecursively(staging);
    }
  }

  /** Imports the tarball as {@link #IMAGE} into the engine unless it already holds that exact tarball. */
  static synchronized void ensureImage(ContainerCli engine) throws IOException, InterruptedException {
    Path tar = tarball();
    String sha = LayerStore.sha256(tar);
    String have;
    try {
      have = engine.run("image", "inspect", "--format", "{{index .Config.Labels \"" + LABEL + "\"}}", IMAGE);
    } catch (Cli.CommandFailedException e) {
      have = "";
    }
    if (!have.strip().equals(sha)) {
      engine.run("import", "--change", "LABEL " + LABEL + "=" + sha, tar.toString(), IMAGE);
    }
  }
}
