package dev.swerl.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much host memory idle sandboxes hold: starts {@code COUNT} sandboxes of one engine on the busybox
 * image, lets them settle, and compares the host before and after. Not a JMH benchmark (there is nothing
 * to repeat): a main class in the benchmarks jar.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.swerl.benchmarks.IdleSandboxMemory namespace 128
 * java -cp benchmarks/target/benchmarks.jar dev.swerl.benchmarks.IdleSandboxMemory docker-api 128
 * }</pre>
 *
 * <p>What it charges to the sandboxes, and why:
 *
 * <ul>
 *   <li>the proportional set size (PSS, {@code /proc/PID/smaps_rollup}) of the sandboxes' own processes:
 *       those whose environment carries {@code SWERL_SANDBOX_ID=<id>} of one of them (namespace), or whose
 *       command line or cgroup names one of the container ids (the container's processes, containerd
 *       shims, conmon). PSS splits a shared page among the processes that map it, so a binary that 128
 *       processes run is counted once;
 *   <li>the growth of the engine's daemons ({@code dockerd}, {@code containerd}), which a sandbox causes;
 *   <li>the growth of the kernel's unreclaimable slab, kernel stacks, page tables and shared memory
 *       ({@code /proc/meminfo}): namespaces, mounts, overlay and tmpfs live there, in no process. These are
 *       host-wide, so whatever else runs on the host moves them too.
 * </ul>
 *
 * <p>It also prints, not charged, this JVM's PSS (garbage collection moves it more than the sandboxes'
 * few Java objects), every other process's PSS and the drop in {@code MemAvailable}, so that noise from
 * the rest of the host can be seen rather than guessed.
 *
 * <p>A first sandbox is started and removed before the "before" snapshot, so one-time costs (unpacking
 * the layer, the engine's caches, class loading) are not charged to the idle ones. After the "after"
 * snapshot every sandbox runs {@code true}, to show all of them are alive, and then all are removed.
 */
public final class IdleSandboxMemory {
  private static final String MARKER = "SWERL_SANDBOX_ID=";
  private static final String SANDBOX = "sandbox: ";
  private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");
  private static final String THIS_JVM = "(this JVM)";

  private IdleSandboxMemory() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1 || args.length > 3) {
      System.err.println("usage: IdleSandboxMemory ENGINE [COUNT=128] [SETTLE_SECONDS=10]; engines: "
          + SandboxEngine.NAMES);
      System.exit(2);
    }
    String name = args[0];
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    long settleMillis = (args.length > 2 ? Long.parseLong(args[2]) : 10) * 1000;

    try (SandboxEngine engine = SandboxEngine.open(name)) {
      try (SandboxEngine.Live first = engine.start()) {
        first.execTrue();
      }
      settle(settleMillis);
      Snapshot before = Snapshot.take(Set.of());

      List<SandboxEngine.Live> lives = new ArrayList<>();
      long started = System.nanoTime();
      try {
        for (int i = 0; i < count; i++) {
          lives.add(engine.start());
        }
        double startSeconds = (System.nanoTime() - started) / 1e9;
        settle(settleMillis);
        Snapshot after = Snapshot.take(ids(lives));

        long execStarted = System.nanoTime();
        for (SandboxEngine.Live live : lives) {
          live.execTrue();
        }
        double execSeconds = (System.nanoTime() - execStarted) / 1e9;
        report(engine, name, count, startSeconds, execSeconds, before, after);
      } finally {
        long closing = System.nanoTime();
        for (SandboxEngine.Live live : lives) {
          live.close();
        }
        System.out.printf(Locale.ROOT, "removed %d sandboxes in %.1f s%n", lives.size(),
            (System.nanoTime() - closing) / 1e9);
        Thread.sleep(1000);
        int left = 0;
        Snapshot end = Snapshot.take(ids(lives));
        for (Map.Entry<String, long[]> group : end.processes().entrySet()) {
          if (group.getKey().startsWith(SANDBOX)) {
            left += (int) group.getValue()[1];
          }
        }
        System.out.println("processes of these sandboxes left after removal: " + left);
      }
    }
  }

  private static Set<String> ids(List<SandboxEngine.Live> lives) {
    Set<String> ids = new HashSet<>();
    lives.forEach(l -> ids.add(l.id()));
    return ids;
  }

  private static void report(SandboxEngine engine, String name, int count, double startSeconds, double execSeconds,
      Snapshot before, Snapshot after) {
    System.out.printf(Locale.ROOT, "%n%s: %d idle sandboxes started in %.1f s (%.0f ms each, one after another); "
        + "then `true` ran in every one in %.1f s%n", name, count, startSeconds, startSeconds * 1000 / count,
        execSeconds);
    System.out.printf(Locale.ROOT, "load average after: %s%n%n", loadAverage());
    System.out.println("| What | Before (MiB) | After (MiB) | Added (MiB) | Per sandbox (KiB) |");
    System.out.println("|---|---:|---:|---:|---:|");
    long charged = 0;
    long processes = 0;
    for (Map.Entry<String, long[]> group : new TreeMap<>(after.processes()).entrySet()) {
      if (group.getKey().startsWith(SANDBOX)) {
        line("PSS of " + group.getKey() + " (" + group.getValue()[1] + " processes)", 0, group.getValue()[0], count);
        charged += group.getValue()[0];
        processes += group.getValue()[1];
      }
    }
    for (String daemon : engine.daemons()) {
      long b = before.pss(daemon);
      long a = after.pss(daemon);
      line("PSS of " + daemon + " (engine daemon)", b, a, count);
      charged += a - b;
    }
    long kernel = 0;
    for (String key : List.of("SUnreclaim", "KernelStack", "PageTables", "Shmem")) {
      long b = before.meminfo().get(key);
      long a = after.meminfo().get(key);
      line("kernel " + key + " (host-wide)", b, a, count);
      kernel += a - b;
    }
    charged += kernel;
    System.out.printf(Locale.ROOT, "| **charged to the sandboxes** (the rows above) | | | **%+.1f** | **%+.0f** |%n",
        charged / 1024.0, charged / (double) count);
    line("PSS of this JVM (not charged: GC noise)", before.pss(THIS_JVM), after.pss(THIS_JVM), count);
    long othersBefore = before.total() - before.pss(THIS_JVM) - before.pss(engine.daemons());
    long othersAfter = after.total() - after.pss(THIS_JVM) - after.pss(engine.daemons()) - after.sandboxes();
    line("PSS of every other process (the rest of the host, noise)", othersBefore, othersAfter, count);
    long usedBefore = before.meminfo().get("MemTotal") - before.meminfo().get("MemAvailable");
    long usedAfter = after.meminfo().get("MemTotal") - after.meminfo().get("MemAvailable");
    line("MemTotal − MemAvailable (host-wide, all of the above and noise)", usedBefore, usedAfter, count);
    System.out.printf(Locale.ROOT, "%nsandbox processes: %d (%.1f per sandbox)%n", processes, processes / (double) count);
  }

  private static void line(String what, long beforeKib, long afterKib, int count) {
    System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %+.1f | %+.0f |%n", what, beforeKib / 1024.0,
        afterKib / 1024.0, (afterKib - beforeKib) / 1024.0, (afterKib - beforeKib) / (double) count);
  }

  private static void settle(long millis) throws InterruptedException {
    System.gc();
    Thread.sleep(millis);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /**
   * The host's memory at one moment.
   *
   * @param processes per group: PSS in KiB and the number of processes
   * @param meminfo {@code /proc/meminfo}, in KiB
   */
  record Snapshot(Map<String, long[]> processes, Map<String, Long> meminfo) {
    /**
     * Reads every process and {@code /proc/meminfo}. A process belongs to one of {@code sandboxIds} when
     * its environment carries {@code SWERL_SANDBOX_ID=<id>} (namespace sandboxes), or its command line or
     * cgroup names the container id (the container's processes, containerd shims, conmon); such processes
     * are grouped as {@code "sandbox: <command>"}, all others by command name.
     */
    static Snapshot take(Set<String> sandboxIds) throws IOException {
      long self = ProcessHandle.current().pid();
      Map<String, long[]> groups = new HashMap<>();
      try (var entries = Files.list(Path.of("/proc"))) {
        for (Path dir : entries.toList()) {
          String pid = dir.getFileName().toString();
          if (!pid.chars().allMatch(Character::isDigit)) {
            continue;
          }
          try {
            long pss = pss(dir.resolve("smaps_rollup"));
            String comm = Files.readString(dir.resolve("comm")).strip();
            String group;
            if (Long.parseLong(pid) == self) {
              group = THIS_JVM;
            } else if (!sandboxIds.isEmpty() && belongs(dir, sandboxIds)) {
              group = SANDBOX + comm;
            } else {
              group = comm;
            }
            long[] sum = groups.computeIfAbsent(group, g -> new long[2]);
            sum[0] += pss;
            sum[1]++;
          } catch (IOException | RuntimeException e) {
            // the process ended while we looked: it is in neither snapshot that matters
          }
        }
      }
      Map<String, Long> meminfo = new HashMap<>();
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        String[] parts = line.split("\\s+");
        meminfo.put(parts[0].replace(":", ""), Long.parseLong(parts[1]));
      }
      return new Snapshot(groups, meminfo);
    }

    /** PSS in KiB of the processes in these groups. */
    long pss(String... names) {
      return pss(List.of(names));
    }

    long pss(List<String> names) {
      long sum = 0;
      for (String name : names) {
        sum += processes.getOrDefault(name, new long[2])[0];
      }
      return sum;
    }

    /** PSS in KiB of every process. */
    long total() {
      return processes.values().stream().mapToLong(v -> v[0]).sum();
    }

    /** PSS in KiB of the sandboxes' processes. */
    long sandboxes() {
      return processes.entrySet().stream().filter(e -> e.getKey().startsWith(SANDBOX)).mapToLong(e -> e.getValue()[0])
          .sum();
    }

    private static boolean belongs(Path dir, Set<String> ids) throws IOException {
      for (String var : new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8).split("\0")) {
        if (var.startsWith(MARKER) && ids.contains(var.substring(MARKER.length()))) {
          return true;
        }
      }
      for (Path file : List.of(dir.resolve("cmdline"), dir.resolve("cgroup"))) {
        Matcher m = CONTAINER_ID.matcher(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        while (m.find()) {
          if (ids.contains(m.group())) {
            return true;
          }
        }
      }
      return false;
    }

    /** The Pss line of a smaps_rollup, in KiB; 0 for kernel threads, which have none. */
    private static long pss(Path rollup) throws IOException {
      for (String line : Files.readAllLines(rollup)) {
        if (line.startsWith("Pss:")) {
          return Long.parseLong(line.split("\\s+")[1]);
        }
      }
      return 0;
    }
  }
}
