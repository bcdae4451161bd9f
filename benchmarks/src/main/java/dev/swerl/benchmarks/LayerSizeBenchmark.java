package dev.swerl.benchmarks;

import dev.swerl.sandbox.files.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Whether the size of a sandbox's environment shows in its start-up: a namespace sandbox on the busybox
 * layer with one more lower layer on top that is either an empty directory or 1 GiB of files, created,
 * given its first command ({@code true}) and closed.
 *
 * <p>The 1 GiB layer is 960 files of 1 MiB and 16,384 files of 4 KiB in 256 directories (a shape between
 * a model checkpoint and a source tree with its dependencies), written once per trial under
 * {@link BusyboxRootfs#DIRECTORY} and deleted at the end of it; it is used in place as a directory layer,
 * so the benchmark measures start-up, not unpacking; it is synced to disk before the trial starts. Needs
 * about 1.1 GB of free disk.
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar LayerSizeBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 10)
public class LayerSizeBenchmark {
  private static final int LARGE_FILES = 960;
  private static final int SMALL_FILES = 16_384;
  private static final int SMALL_DIRECTORIES = 256;

  /** The size of the extra lower layer. */
  @Param({"empty", "1GiB"})
  public String layer = "empty";

  private @Nullable Path directory;
  private @Nullable SandboxEngine engine;

  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    Path dir = BusyboxRootfs.DIRECTORY.resolve("layer-" + layer);
    FileTrees.deleteRecursively(dir);
    Files.createDirectories(dir);
    directory = dir;
    if (layer.equals("1GiB")) {
      fill(dir);
      // Write the gigabyte back now, so that its write-back does not compete with the measurement.
      Cli.run(List.of("sync"), Duration.ofMinutes(5));
    } else if (!layer.equals("empty")) {
      throw new IllegalArgumentException("layer is 'empty' or '1GiB', not '" + layer + "'");
    }
    engine = SandboxEngine.open("namespace", List.of(dir));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException, InterruptedException {
    try {
      if (engine != null) {
        engine.close();
      }
    } finally {
      engine = null;
      if (directory != null) {
        FileTrees.deleteRecursively(directory);
        directory = null;
      }
    }
  }

  @Benchmark
  public void createExecClose() throws IOException, InterruptedException {
    SandboxEngine e = engine;
    if (e == null) {
      throw new IllegalStateException("the engine is not set up: run through JMH");
    }
    try (SandboxEngine.Live live = e.start()) {
      live.execTrue();
    }
  }

  /** Writes 1 GiB: 960 × 1 MiB under {@code data/}, 16,384 × 4 KiB under {@code src/NNN/}. */
  private static void fill(Path dir) throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    byte[] large = new byte[1 << 20];
    random.nextBytes(large);
    Path data = Files.createDirectories(dir.resolve("data"));
    for (int i = 0; i < LARGE_FILES; i++) {
      large[0] = (byte) i;
      large[1] = (byte) (i >> 8);
      Files.write(data.resolve("blob-" + i + ".bin"), large);
    }
    byte[] small = new byte[4096];
    for (int i = 0; i < SMALL_FILES; i++) {
      Path sub = dir.resolve("src").resolve(String.format("%03d", i % SMALL_DIRECTORIES));
      if (i < SMALL_DIRECTORIES) {
        Files.createDirectories(sub);
      }
      random.nextBytes(small);
      Files.write(sub.resolve("file-" + i + ".txt"), small);
    }
  }
}
