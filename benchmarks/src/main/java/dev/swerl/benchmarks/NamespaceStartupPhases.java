package dev.swerl.benchmarks;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.layers.Layer;
import dev.swerl.sandbox.namespace.NamespaceSandboxBackend;
import dev.swerl.sandbox.process.ProcTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where a namespace sandbox's create + first command + close goes: times {@code create}, the first
 * {@code exec}, a second {@code exec} and {@code close} of the same sandbox separately, next to the two
 * host costs they are built from: starting one process from Java ({@code /bin/true} through
 * {@link ProcessBuilder}) and one scan of {@code /proc} for a marker ({@link ProcTable#find}, which
 * {@code close()} makes at least twice). Not JMH: the phases of one operation cannot be separated there.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.swerl.benchmarks.NamespaceStartupPhases 200
 * }</pre>
 */
public final class NamespaceStartupPhases {
  private static final ExecRequest TRUE = ExecRequest.argv("true");

  private NamespaceStartupPhases() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int warmup = Math.max(10, rounds / 10);
    Path cache = BusyboxRootfs.DIRECTORY.resolve("phases-cache");
    try {
      NamespaceSandboxBackend backend = new NamespaceSandboxBackend(cache);
      Layer busybox = backend.layers().fromTarball(BusyboxRootfs.tarball());
      SandboxSpec spec = SandboxSpec.builder().layers(List.of(busybox.id())).shell("sh", "-c").build();
      long[][] phases = new long[4][rounds];
      long[] process = new long[rounds];
      long[] scan = new long[rounds];
      for (int i = -warmup; i < rounds; i++) {
        long t0 = System.nanoTime();
        Sandbox sandbox = backend.create(spec);
        long t1 = System.nanoTime();
        check(sandbox.exec(TRUE).exitCode());
        long t2 = System.nanoTime();
        check(sandbox.exec(TRUE).exitCode());
        long t3 = System.nanoTime();
        sandbox.close();
        long t4 = System.nanoTime();
        long t5 = System.nanoTime();
        check(trueProcess());
        long t6 = System.nanoTime();
        ProcTable.find(e -> e.hasEnv("SWERL_SANDBOX_ID=none"));
        long t7 = System.nanoTime();
        if (i >= 0) {
          phases[0][i] = t1 - t0;
          phases[1][i] = t2 - t1;
          phases[2][i] = t3 - t2;
          phases[3][i] = t4 - t3;
          process[i] = t6 - t5;
          scan[i] = t7 - t6;
        }
      }
      long processes;
      try (var entries = Files.list(Path.of("/proc"))) {
        processes = entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
      }
      System.out.printf(Locale.ROOT, "%d rounds after %d warm-up rounds; %d processes on the host; load average %s%n%n",
          rounds, warmup, processes, Files.readString(Path.of("/proc/loadavg")).strip());
      System.out.println("| Phase | p50 (ms) | p90 (ms) | p99 (ms) |");
      System.out.println("|---|---:|---:|---:|");
      row("`create`", phases[0]);
      row("first `exec(argv(\"true\"))`", phases[1]);
      row("second `exec(argv(\"true\"))`", phases[2]);
      row("`close`", phases[3]);
      long[] ready = new long[rounds];
      long[] total = new long[rounds];
      for (int i = 0; i < rounds; i++) {
        ready[i] = phases[0][i] + phases[1][i];
        total[i] = phases[0][i] + phases[1][i] + phases[3][i];
      }
      row("create + first exec", ready);
      row("create + first exec + close", total);
      row("peer: `/bin/true` through ProcessBuilder", process);
      row("peer: one `/proc` scan for a marker (`ProcTable.find`)", scan);
    } finally {
      FileTrees.deleteRecursively(cache);
    }
  }

  private static int trueProcess() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("/bin/true").redirectErrorStream(true).start();
    p.getOutputStream().close();
    try (InputStream in = p.getInputStream()) {
      in.readAllBytes();
    }
    return p.waitFor();
  }

  private static void check(int exit) {
    if (exit != 0) {
      throw new IllegalStateException("true exited " + exit);
    }
  }

  private static void row(String what, long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |%n", what, at(sorted, 0.50), at(sorted, 0.90),
        at(sorted, 0.99));
  }

  private static double at(long[] sorted, double quantile) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6;
  }
}
