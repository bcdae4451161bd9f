package dev.swerl.benchmarks;

import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.local.LocalSandboxBackend;
import dev.swerl.sandbox.process.ProcTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What making and closing one {@code local} sandbox costs compared with the directory it wraps: a bare
 * {@link Files#createTempDirectory} and delete.
 *
 * <p>{@link #procScan()} does on its own the {@code /proc} read that {@link Sandbox#close()} makes to
 * find processes left behind (every process's {@code stat} and {@code environ}), so the gap between the
 * two sides can be attributed. Its cost grows with the number of processes on the host.
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar SandboxLifecycleBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SandboxLifecycleBenchmark {
  private static final SandboxSpec SPEC = SandboxSpec.builder().build();
  /** A marker no process carries, so the scan reads everything and matches nothing, as at a clean close. */
  private static final String NO_SUCH_MARKER = "SWERL_SANDBOX_ID=local-benchmark-none";

  private final SandboxBackend backend = new LocalSandboxBackend();
  private final Path parent = Path.of(System.getProperty("java.io.tmpdir"));

  private Set<Path> before = Set.of();

  @Setup
  public void setUp() throws IOException {
    if (!backend.availability().available()) {
      throw new IllegalStateException("the local backend is unavailable: " + backend.availability());
    }
    before = ours();
  }

  @TearDown
  public void tearDown() throws IOException {
    // Each operation closes what it made; a directory left behind would be a leak worth failing on.
    Set<Path> leaked = new HashSet<>(ours());
    leaked.removeAll(before);
    if (!leaked.isEmpty()) {
      throw new IllegalStateException("benchmark left directories behind: " + leaked);
    }
  }

  @Benchmark
  public boolean sandboxCreateClose() {
    Sandbox sandbox = backend.create(SPEC);
    try (sandbox) {
      return sandbox.isClosed();
    }
  }

  @Benchmark
  public boolean tempDirectoryCreateDelete() throws IOException {
    Path directory = Files.createTempDirectory(parent, "swerl-bench-dir-");
    return Files.deleteIfExists(directory);
  }

  @Benchmark
  public int procScan() {
    return ProcTable.find(e -> e.hasEnv(NO_SUCH_MARKER)).size();
  }

  /** The directories under the parent that either side of this benchmark makes. */
  private Set<Path> ours() throws IOException {
    try (Stream<Path> entries = Files.list(parent)) {
      return entries.filter(p -> p.getFileName().toString().startsWith("swerl-local-")
          || p.getFileName().toString().startsWith("swerl-bench-dir-")).collect(Collectors.toSet());
    }
  }
}
