package dev.swerl.sandbox.namespace;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swerl.api.sandbox.Availability;
import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.layers.Layer;
import dev.swerl.sandbox.process.ProcTable;
import dev.swerl.sandbox.process.ProcessKiller;
import dev.swerl.sandbox.testing.BusyboxRootfs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The namespace backend leaves nothing behind: not after a thousand sandboxes opened, used and closed in a
 * row (no process, run directory, mount, helper thread or file descriptor survives), and not after the JVM
 * holding sandboxes is killed with SIGKILL (the kernel kills their processes through the parent-death
 * signal; the reaper removes their directories).
 *
 * <p>{@code -Dswerl.leak.cycles=N} changes the number of cycles for a quick local run; CI runs the default.
 */
class NamespaceLeakIT {
  private static final int CYCLES = Integer.getInteger("swerl.leak.cycles", 1000);
  /** Every this many cycles the background process holds the command's pipes: close must end their readers. */
  private static final int PIPE_HOLDING_EVERY = 10;
  /** Every this many cycles the test checks that the background process really runs before close. */
  private static final int PROBE_EVERY = 100;
  private static final int HELD_SANDBOXES = 20;
  /** File descriptors the JVM may open for its own reasons over the churn (class loading, logging). */
  private static final int FD_MARGIN = 20;
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(30);
  /** How long the kernel gets to kill a dead JVM's sandboxes. */
  private static final Duration DEATH_GRACE = Duration.ofSeconds(10);
  private static final Duration CHILD_START_TIMEOUT = Duration.ofMinutes(3);
  private static final String MARKER = NamespaceSandbox.SANDBOX_MARKER + "=";

  /** Every sandbox id either test made, so that cleanup can kill whatever survived a failed assertion. */
  private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

  private static Path root;
  private static Path busyboxTarball;

  @BeforeAll
  static void prepare() throws Exception {
    root = Files.createTempDirectory(Path.of("/var/tmp"), "swerl-ns-leak-");
    // The sandbox user (unprivileged, also when the tests run as root) must pass through to the caches.
    Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    Availability availability = new NamespaceSandboxBackend(root.resolve("probe-cache")).availability();
    assumeTrue(availability.available(), () -> "namespace backend unavailable here: " + availability.reason());
    assumeTrue(BusyboxRootfs.available(), BusyboxRootfs::unavailableReason);
    busyboxTarball = BusyboxRootfs.tarball(root, root.resolve("busybox.tar"));
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (!SEEN.isEmpty()) {
      ProcessKiller.killAll(Set.of(), e -> sandboxOf(e) != null && SEEN.contains(sandboxOf(e)));
    }
    if (root != null) {
      FileTrees.deleteRecursively(root);
    }
  }

  @Test
  @DisplayName("a thousand create/exec/close cycles leave no process, directory, mount, thread or descriptor")
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void churnLeavesNothingBehind() throws Exception {
    NamespaceSandboxBackend backend = new NamespaceSandboxBackend(root.resolve("churn-cache"));
    Path cache = backend.cacheDirectory();
    Layer busybox = backend.layers().fromTarball(busyboxTarball);
    SandboxSpec spec = SandboxSpec.builder().layers(List.of(busybox.id())).shell("sh", "-c").build();
    List<String> ids = new ArrayList<>();

    // The first sandbox loads classes, opens jar files and starts the backend's launcher thread for the
    // life of the JVM: none of that is a per-sandbox leak, so the baseline is taken after it.
    cycle(backend, spec, ids, 0, new Phases());
    int fdsBefore = openFileDescriptors();
    Set<String> mountsBefore = mountsMentioning(cache);
    Set<Long> childrenBefore = childPids();

    Phases phases = new Phases();
    long started = System.nanoTime();
    long blockStarted = started;
    for (int i = 1; i <= CYCLES; i++) {
      cycle(backend, spec, ids, i, phases);
      if (i % PROBE_EVERY == 0) {
        // Per block, so that a cost growing with the number of sandboxes made shows in the log.
        long now = System.nanoTime();
        System.out.printf("NamespaceLeakIT: cycles %d-%d: %.1f ms per cycle%n", i - PROBE_EVERY + 1, i,
            (now - blockStarted) / 1e6 / PROBE_EVERY);
        blockStarted = now;
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf("NamespaceLeakIT: %d create/exec/close cycles in %.1f s, %.1f ms per cycle"
            + " (in every %dth, the background process holds the command's output pipes)%n",
        CYCLES, elapsed.toMillis() / 1000.0, elapsed.toNanos() / 1e6 / CYCLES, PIPE_HOLDING_EVERY);
    System.out.println("NamespaceLeakIT: " + phases);

    int fdsAfter = openFileDescriptors();
    Set<String> newMounts = new TreeSet<>(mountsMentioning(cache));
    newMounts.removeAll(mountsBefore);
    Set<Long> newChildren = new TreeSet<>(childPids());
    newChildren.removeAll(childrenBefore);
    assertAll(
        () -> assertEquals(List.of(), processesOf(ids), "processes of closed sandboxes survived"),
        () -> assertEquals(List.of(), entries(cache.resolve("run")), "run directories survived under " + cache),
        () -> assertEquals(Set.of(), newMounts, "mounts mentioning the cache appeared on the host"),
        () -> assertEquals(List.of(), sandboxThreads(), "helper threads of closed sandboxes survived"),
        () -> assertEquals(Set.of(), describe(newChildren), "child processes of the JVM survived"),
        () -> assertTrue(fdsAfter - fdsBefore <= FD_MARGIN, "open file descriptors grew from " + fdsBefore + " to "
            + fdsAfter + " over " + CYCLES + " cycles: " + String.join(", ", fileDescriptorTargets())));
  }

  @Test
  @DisplayName("sandboxes of a JVM killed with SIGKILL die with it, and the reaper removes what they left")
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void sandboxesOfAKilledJvmDieAndAreReaped() throws Exception {
    Path cache = root.resolve("crash-cache");
    // A backend's constructor reaps its cache once per JVM; making one here, before the child runs, leaves
    // the explicit reap() below as the one that finds the child's sandboxes, so its count can be checked.
    NamespaceSandboxBackend backend = new NamespaceSandboxBackend(cache);
    Layer busybox = backend.layers().fromTarball(busyboxTarball);
    Set<String> mountsBefore = mountsMentioning(backend.cacheDirectory());
    Path childLog = root.resolve("hold-sandboxes.log");
    String java = ProcessHandle.current().info().command()
        .orElseThrow(() -> new IllegalStateException("cannot tell which java binary runs this test"));
    Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), HoldSandboxes.class.getName(),
        backend.cacheDirectory().toString(), Integer.toString(HELD_SANDBOXES), busybox.id())
        .redirectError(childLog.toFile())
        .start();
    try (ExecutorService reader = Executors.newVirtualThreadPerTaskExecutor()) {
      List<String> held = awaitHeld(child, reader, childLog);
      SEEN.addAll(held);
      assertEquals(HELD_SANDBOXES, held.size(), "the child must report every sandbox it holds: " + held);
      for (String id : held) {
        assertFalse(processesOf(List.of(id)).isEmpty(), "sandbox " + id + " must be running before the kill");
      }

      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child JVM did not die of SIGKILL");

      long killed = System.nanoTime();
      List<String> survivors = awaitNoProcesses(held, DEATH_GRACE);
      System.out.printf("NamespaceLeakIT: the processes of %d sandboxes were gone %d ms after their JVM died%n",
          held.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
      assertEquals(List.of(), survivors, "processes of the dead JVM's sandboxes outlived it by " + DEATH_GRACE
          + ": the parent-death signal did not kill them");
      assertEquals(new TreeSet<>(held), new TreeSet<>(entries(backend.cacheDirectory().resolve("run"))),
          "the dead JVM's run directories must stay until the reaper runs, and nothing else may be there");

      int reaped = new NamespaceSandboxBackend(cache).reap();

      Set<String> newMounts = new TreeSet<>(mountsMentioning(backend.cacheDirectory()));
      newMounts.removeAll(mountsBefore);
      assertAll(
          () -> assertEquals(HELD_SANDBOXES, reaped, "reap() must count the dead JVM's sandboxes"),
          () -> assertEquals(List.of(), entries(backend.cacheDirectory().resolve("run")), "run directories after reap"),
          () -> assertEquals(List.of(), processesOf(held), "processes after reap"),
          () -> assertEquals(Set.of(), newMounts, "mounts mentioning the cache after reap"));
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
      child.getInputStream().close();
      child.getOutputStream().close();
    }
  }

  /** One sandbox: create, run a command that leaves a background process, close. */
  private static void cycle(NamespaceSandboxBackend backend, SandboxSpec spec, List<String> ids, int n, Phases phases) {
    boolean holdPipes = n % PIPE_HOLDING_EVERY == 0;
    long t0 = System.nanoTime();
    Sandbox sandbox = backend.create(spec);
    long t1 = System.nanoTime();
    phases.create += t1 - t0;
    try {
      ids.add(sandbox.id());
      SEEN.add(sandbox.id());
      // Without the redirect the background sleep keeps the command's output pipes open, so their reader
      // threads run until close kills it; with it, the command and its readers end at once.
      String script = holdPipes ? "echo $$; sleep 1000 &" : "echo $$; sleep 1000 >/dev/null 2>&1 &";
      ExecResult result = sandbox.exec(ExecRequest.shell(script).toBuilder().timeout(EXEC_TIMEOUT).build());
      if (holdPipes) {
        phases.holdingExec += System.nanoTime() - t1;
        phases.holdingCycles++;
      } else {
        phases.quickExec += System.nanoTime() - t1;
      }
      if (result.exitCode() != 0 || !result.stdoutText().matches("\\d+\n")) {
        fail("cycle " + n + " in " + sandbox.id() + ": '" + script + "' exited " + result.exitCode()
            + (result.timedOut() ? " (timed out)" : "") + " with output: " + result.outputText());
      }
      if (n % PROBE_EVERY == 0) {
        assertTrue(commandLinesOf(sandbox.id()).contains("sleep 1000"),
            "cycle " + n + ": the background sleep must run until close; processes of " + sandbox.id() + ": "
                + commandLinesOf(sandbox.id()));
      }
    } finally {
      long t2 = System.nanoTime();
      sandbox.close();
      phases.close += System.nanoTime() - t2;
      phases.cycles++;
    }
  }

  /** Time the churn spent in each step, summed over cycles, for the log. */
  private static final class Phases {
    long cycles;
    long holdingCycles;
    long create;
    long quickExec;
    long holdingExec;
    long close;

    @Override
    public String toString() {
      return String.format("per cycle: create %.1f ms, exec %.1f ms (%.1f ms when a background process holds its"
              + " pipes), close %.1f ms", create / 1e6 / cycles, quickExec / 1e6 / Math.max(1, cycles - holdingCycles),
          holdingExec / 1e6 / Math.max(1, holdingCycles), close / 1e6 / cycles);
    }
  }

  /** Reads the child's standard output up to {@code held}: the ids of its sandboxes. */
  private static List<String> awaitHeld(Process child, ExecutorService reader, Path childLog) throws Exception {
    Future<List<String>> lines = reader.submit(() -> {
      List<String> ids = new ArrayList<>();
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        if (line.equals(HoldSandboxes.HELD)) {
          return ids;
        }
        if (line.matches("ns-[0-9a-f]{12}")) {
          ids.add(line);
          SEEN.add(line);
        }
      }
      return null;
    });
    try {
      List<String> ids = lines.get(CHILD_START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (ids == null) {
        child.waitFor(10, TimeUnit.SECONDS);
        fail("the child JVM ended before holding its sandboxes; its stderr: " + Files.readString(childLog));
      }
      return ids;
    } catch (TimeoutException e) {
      lines.cancel(true);
      return fail("the child JVM did not hold its sandboxes within " + CHILD_START_TIMEOUT + "; its stderr: "
          + Files.readString(childLog));
    }
  }

  /** Polls until no process of these sandboxes runs, or the grace ends; returns the survivors. */
  private static List<String> awaitNoProcesses(Collection<String> ids, Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    List<String> left = processesOf(ids);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      left = processesOf(ids);
    }
    return left;
  }

  /** {@code "pid [id] command line"} of every live host process that carries one of these sandbox ids. */
  private static List<String> processesOf(Collection<String> ids) {
    Set<String> wanted = new HashSet<>(ids);
    return ProcTable.find(e -> !e.zombie() && wanted.contains(sandboxOf(e))).stream()
        .map(e -> e.pid() + " [" + sandboxOf(e) + "] " + commandLine(e.pid()))
        .toList();
  }

  private static List<String> commandLinesOf(String id) {
    return ProcTable.find(e -> !e.zombie() && id.equals(sandboxOf(e))).stream()
        .map(e -> commandLine(e.pid()))
        .toList();
  }

  private static @Nullable String sandboxOf(ProcTable.Entry entry) {
    for (String variable : entry.environ()) {
      if (variable.startsWith(MARKER)) {
        return variable.substring(MARKER.length());
      }
    }
    return null;
  }

  /** The command line, on one line and cut short: a sandbox's init carries its whole setup script. */
  private static String commandLine(long pid) {
    try {
      String line = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          StandardCharsets.UTF_8).replace('\0', ' ').replace('\n', ' ').trim();
      return line.length() > 80 ? line.substring(0, 80) + "..." : line;
    } catch (IOException e) {
      return "(gone)";
    }
  }

  private static List<String> entries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Set<String> mountsMentioning(Path cache) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .filter(line -> line.contains(cache.toString()))
        .collect(Collectors.toSet());
  }

  private static List<String> sandboxThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("swerl-ns-"))
        .map(Thread::getName)
        .sorted()
        .toList();
  }

  private static Set<Long> childPids() {
    return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  private static Set<String> describe(Set<Long> pids) {
    Set<String> described = new TreeSet<>();
    for (long pid : pids) {
      ProcTable.Entry entry = ProcTable.get(pid);
      if (entry != null) {
        described.add(pid + " (" + entry.state() + ") " + commandLine(pid));
      }
    }
    return described;
  }

  private static int openFileDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return (int) fds.count();
    }
  }

  /** What the JVM's descriptors point at, for the failure message of the descriptor check. */
  private static List<String> fileDescriptorTargets() {
    List<String> targets = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          targets.add(fd.getFileName() + " -> " + Files.readSymbolicLink(fd));
        } catch (IOException e) {
          // closed while we looked
        }
      }
    } catch (IOException e) {
      targets.add("(cannot list /proc/self/fd: " + e.getMessage() + ")");
    }
    return targets;
  }
}
