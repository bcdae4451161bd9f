package dev.swerl.benchmarks;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.local.LocalSandboxBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one command costs through a {@code local} sandbox compared with the least any Java program pays
 * to run the same command: a bare {@link ProcessBuilder} that starts it, reads its output and waits.
 *
 * <p>Both sides run {@code SHELL SCRIPT} in a private temporary directory with the JVM's environment,
 * so the shell's own start-up is paid on both sides and the difference is the sandbox's doing.
 * {@link #shell} is {@code bash -lc} (the sandbox default, which reads the login profile on every
 * command) and {@code bash -c} (no profile), because a slow profile can hide the sandbox's own cost.
 * {@link #processSetsidTrue()} runs the bare process under {@code setsid}, as the sandbox does, to show
 * how much of the difference is that one extra exec.
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar ExecOverheadBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ExecOverheadBenchmark {
  /** Bytes the large-output command prints. */
  static final int ONE_MIB = 1 << 20;

  private static final String TRUE = "true";
  private static final String ONE_MIB_SCRIPT = "head -c " + ONE_MIB + " /dev/zero";
  private static final ExecRequest TRUE_REQUEST = ExecRequest.shell(TRUE);
  private static final ExecRequest ONE_MIB_REQUEST = ExecRequest.shell(ONE_MIB_SCRIPT);

  /** The shell both sides run the script with, words split on spaces. */
  @Param({"bash -lc", "bash -c"})
  public String shell = "bash -lc";

  private List<String> shellWords = List.of();
  private @Nullable Sandbox sandbox;
  private @Nullable Path peerDirectory;

  @Setup
  public void setUp() throws IOException, InterruptedException {
    shellWords = List.of(shell.split(" "));
    sandbox = new LocalSandboxBackend().create(SandboxSpec.builder().shell(shellWords).build());
    peerDirectory = Files.createTempDirectory("swerl-bench-peer-");
    // Check once that both sides do the work the numbers claim, so a broken side cannot look fast.
    check(sandbox.exec(ONE_MIB_REQUEST).stdoutBytes() == ONE_MIB, "sandbox did not print 1 MiB");
    check(sandbox.exec(TRUE_REQUEST).exitCode() == 0, "sandbox `true` failed");
    check(bare(withShell(ONE_MIB_SCRIPT)) == ONE_MIB, "bare process did not print exactly 1 MiB (does the shell profile print?)");
    check(bare(withShell(TRUE)) == 0, "bare `true` failed or printed something (does the shell profile print?)");
  }

  @TearDown
  public void tearDown() throws IOException {
    try {
      if (sandbox != null) {
        sandbox.close();
      }
    } finally {
      sandbox = null;
      if (peerDirectory != null) {
        Files.deleteIfExists(peerDirectory);
        peerDirectory = null;
      }
    }
  }

  @Benchmark
  public ExecResult sandboxTrue() {
    return open().exec(TRUE_REQUEST);
  }

  @Benchmark
  public long processTrue() throws IOException, InterruptedException {
    return bare(withShell(TRUE));
  }

  @Benchmark
  public long processSetsidTrue() throws IOException, InterruptedException {
    List<String> argv = withShell(TRUE);
    argv.addFirst("setsid");
    return bare(argv);
  }

  @Benchmark
  public ExecResult sandboxOneMiB() {
    return open().exec(ONE_MIB_REQUEST);
  }

  @Benchmark
  public long processOneMiB() throws IOException, InterruptedException {
    return bare(withShell(ONE_MIB_SCRIPT));
  }

  /**
   * The peer: start, close standard input, read the merged output to its end on this thread, wait.
   * Merging standard error is what lets it do without reader threads; returns the bytes read plus the
   * exit code so that neither can be optimised away.
   */
  private long bare(List<String> argv) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(argv)
        .directory(peerDir().toFile())
        .redirectErrorStream(true)
        .start();
    process.getOutputStream().close();
    long read;
    try (InputStream out = process.getInputStream()) {
      read = out.readAllBytes().length;
    }
    return read + process.waitFor();
  }

  /** A new, modifiable argument vector: the shell's words, then the script. */
  private List<String> withShell(String script) {
    List<String> argv = new ArrayList<>(shellWords);
    argv.add(script);
    return argv;
  }

  private Sandbox open() {
    Sandbox s = sandbox;
    if (s == null) {
      throw new IllegalStateException("the sandbox is not set up: run through JMH");
    }
    return s;
  }

  private Path peerDir() {
    Path d = peerDirectory;
    if (d == null) {
      throw new IllegalStateException("the peer directory is not set up: run through JMH");
    }
    return d;
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException("benchmark set-up check failed: " + message);
    }
  }
}
