package dev.swerl.sandbox.namespace;

import dev.swerl.api.sandbox.ResourceLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Resource limits for sandboxes through Linux control groups, version 2 (one unified tree) or version 1
 * (one tree per controller), whichever the host mounts. Each limited sandbox gets a group named after it
 * under a {@code swerl} parent; its processes join by writing their pid to the group's {@code cgroup.procs}
 * before they start the sandbox's command, so every descendant is counted.
 */
final class Cgroups {
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  private static final String PARENT = "swerl";
  private static final long CPU_PERIOD_MICROS = 100_000;

  private final boolean v2;
  /** The parent directory per controller (v1), or the single parent (v2) under the key "". */
  private final Map<String, Path> parents;

  private Cgroups(boolean v2, Map<String, Path> parents) {
    this.v2 = v2;
    this.parents = parents;
  }

  /** The host's cgroups when this process may create groups with memory, pids and cpu limits, else {@code null}. */
  static @Nullable Cgroups detect() {
    try {
      if (Files.isRegularFile(ROOT.resolve("cgroup.controllers"))) {
        String controllers = Files.readString(ROOT.resolve("cgroup.controllers"));
        if (!(controllers.contains("memory") && controllers.contains("pids") && controllers.contains("cpu"))) {
          return null;
        }
        Path parent = Files.createDirectories(ROOT.resolve(PARENT));
        Files.writeString(ROOT.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
        Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids +cpu");
        return new Cgroups(true, Map.of("", parent));
      }
      Map<String, Path> parents = new java.util.LinkedHashMap<>();
      for (String controller : List.of("memory", "pids", "cpu")) {
        Path tree = ROOT.resolve(controller);
        if (!Files.isRegularFile(tree.resolve("cgroup.procs"))) {
          return null;
        }
        parents.put(controller, Files.createDirectories(tree.resolve(PARENT)));
      }
      return new Cgroups(false, Map.copyOf(parents));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Which cgroup version is in use, for messages. */
  String describe() {
    return v2 ? "cgroup v2" : "cgroup v1";
  }

  /** Creates the groups of one sandbox with its limits; returns the {@code cgroup.procs} files to join. */
  List<Path> create(String id, ResourceLimits limits) throws IOException {
    List<Path> procs = new ArrayList<>();
    if (v2) {
      Path group = Files.createDirectories(parents.get("").resolve(id));
      if (limits.memoryBytes() > 0) {
        Files.writeString(group.resolve("memory.max"), Long.toString(limits.memoryBytes()));
        writeIfPresent(group.resolve("memory.swap.max"), "0");
      }
      if (limits.maxProcesses() > 0) {
        Files.writeString(group.resolve("pids.max"), Integer.toString(limits.maxProcesses()));
      }
      if (limits.cpus() > 0) {
        Files.writeString(group.resolve("cpu.max"), quota(limits.cpus()) + " " + CPU_PERIOD_MICROS);
      }
      procs.add(group.resolve("cgroup.procs"));
      return procs;
    }
    Function<String, Path> group = controller -> parents.get(controller).resolve(id);
    for (String controller : parents.keySet()) {
      Files.createDirectories(group.apply(controller));
      procs.add(group.apply(controller).resolve("cgroup.procs"));
    }
    if (limits.memoryBytes() > 0) {
      Files.writeString(group.apply("memory").resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
      // Without this the limit only pushes memory to swap; memsw caps memory and swap together.
      writeIfPresent(group.apply("memory").resolve("memory.memsw.limit_in_bytes"), Long.toString(limits.memoryBytes()));
    }
    if (limits.maxProcesses() > 0) {
      Files.writeString(group.apply("pids").resolve("pids.max"), Integer.toString(limits.maxProcesses()));
    }
    if (limits.cpus() > 0) {
      Files.writeString(group.apply("cpu").resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
      Files.writeString(group.apply("cpu").resolve("cpu.cfs_quota_us"), Long.toString(quota(limits.cpus())));
    }
    return procs;
  }

  /** Removes the groups of one sandbox (its processes must be gone); missing groups are fine. */
  void remove(String id) {
    for (Path parent : parents.values()) {
      Path group = parent.resolve(id);
      for (int attempt = 0; attempt < 50 && Files.isDirectory(group); attempt++) {
        try {
          Files.deleteIfExists(group); // rmdir: the kernel refuses while a process (even a zombie) is in it
        } catch (IOException e) {
          sleep();
        }
      }
    }
  }

  /**
   * Removes the groups of sandboxes that no longer have a run directory under {@code run} and no process;
   * a group with a process in it is left alone (the kernel refuses to remove it), so groups of sandboxes
   * of other caches or JVMs are safe.
   */
  void removeOrphans(Path run) {
    for (String id : groups()) {
      if (Files.exists(run.resolve(id))) {
        continue;
      }
      for (Path parent : parents.values()) {
        try {
          Files.deleteIfExists(parent.resolve(id));
        } catch (IOException busy) {
          // still has processes: not an orphan
        }
      }
    }
  }

  /** The ids of every sandbox group there is, for the reaper. */
  List<String> groups() {
    List<String> ids = new ArrayList<>();
    for (Path parent : parents.values()) {
      try (var dirs = Files.list(parent)) {
        dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).filter(n -> n.startsWith("ns-"))
            .filter(n -> !ids.contains(n)).forEach(ids::add);
      } catch (IOException e) {
        // nothing to reap there
      }
    }
    return ids;
  }

  private static long quota(double cpus) {
    return Math.max(1000, Math.round(cpus * CPU_PERIOD_MICROS));
  }

  private static void writeIfPresent(Path file, String value) throws IOException {
    if (Files.exists(file)) {
      Files.writeString(file, value);
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
