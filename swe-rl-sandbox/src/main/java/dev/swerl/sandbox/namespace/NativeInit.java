package dev.swerl.sandbox.namespace;

import dev.swerl.sandbox.layers.LayerStore;
import dev.swerl.sandbox.process.HostTools;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The fast way to start a sandbox: {@code swerl-nsinit}, a small C program shipped as source in this jar,
 * does in one process what the setup script does in dozens (each {@code mount} of the script is a process
 * of its own, a few milliseconds apiece). It is compiled once per cache with the host's C compiler and kept
 * under {@code <cache>/bin}, named after the hash of its source. Without a compiler the backend uses the
 * script, which does the same, slower.
 *
 * <p>System property {@value #MODE_PROPERTY}: {@code auto} (the default: native when it can be built),
 * {@code native} (fail when it cannot), {@code script} (never native).
 */
final class NativeInit {
  static final String MODE_PROPERTY = "swerl.namespace.init";
  private static final String SOURCE = "swerl-nsinit.c";
  private static final System.Logger LOG = System.getLogger(NativeInit.class.getName());

  private NativeInit() {}

  /** The compiled program, building it if needed, or {@code null} when the script must be used. */
  static @Nullable Path locate(Path cache) {
    String mode = System.getProperty(MODE_PROPERTY, "auto").toLowerCase(Locale.ROOT);
    if (mode.equals("script")) {
      return null;
    }
    try {
      return build(cache);
    } catch (IOException e) {
      if (mode.equals("native")) {
        throw new IllegalStateException("cannot build swerl-nsinit (" + MODE_PROPERTY + "=native): " + e.getMessage(), e);
      }
      LOG.log(System.Logger.Level.INFO, "namespace sandboxes start through a shell script, which is slower: {0}",
          e.getMessage());
      return null;
    }
  }

  private static Path build(Path cache) throws IOException {
    byte[] source;
    try (InputStream in = NativeInit.class.getResourceAsStream(SOURCE)) {
      if (in == null) {
        throw new IOException(SOURCE + " is missing from the jar");
      }
      source = in.readAllBytes();
    }
    Path bin = Files.createDirectories(cache.resolve("bin"));
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path program = bin.resolve("swerl-nsinit-" + LayerStore.sha256(source).substring(0, 16));
    if (Files.isExecutable(program)) {
      return program;
    }
    String compiler = compiler();
    Path work = Files.createTempDirectory(bin, ".build-");
    try {
      Path c = Files.write(work.resolve(SOURCE), source);
      Path out = work.resolve("swerl-nsinit");
      HostTools.run(List.of(compiler, "-O2", "-o", out.toString(), c.toString()));
      Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
      try {
        Files.move(out, program, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(out, program, StandardCopyOption.REPLACE_EXISTING);
      }
      return program;
    } finally {
      dev.swerl.sandbox.files.FileTrees.deleteRecursively(work);
    }
  }

  private static String compiler() throws IOException {
    for (String name : List.of("cc", "gcc", "clang")) {
      for (String dir : HostTools.toolPath().split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
          return Path.of(dir, name).toString();
        }
      }
    }
    throw new IOException("no C compiler (cc, gcc or clang) on PATH; install gcc for sandboxes that start in"
        + " milliseconds");
  }
}
