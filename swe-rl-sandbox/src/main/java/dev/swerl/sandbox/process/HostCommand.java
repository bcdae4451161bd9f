package dev.swerl.sandbox.process;

import dev.swerl.api.sandbox.ExecResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs one host command the way a sandbox needs it run: in a session of its own (through util-linux
 * {@code setsid}), with standard input fed and closed, both outputs drained into bounded buffers, and on
 * timeout the whole tree killed: the session, the process group, every descendant and every process
 * that carries the command's environment marker, including background children that left the group.
 *
 * <p>The command ends when its main process exits. Background processes it left running keep going
 * (as in a shell) and keep their output pipes; their output after that point is dropped. The caller
 * kills them later through the marker, for example when the sandbox closes.
 *
 * <pre>{@code
 * ExecResult result = HostCommand.builder(List.of("bash", "-lc", "make test"))
 *     .directory(dir).environment(env).timeout(Duration.ofMinutes(2))
 *     .marker("SWERL_EXEC_ID", "local-1a2b-7")
 *     .run();
 * }</pre>
 */
public final class HostCommand {
  /** How long to keep reading output after the main process has exited, for bytes still in the pipes. */
  private static final long DRAIN_GRACE_MILLIS = 500;

  private final List<String> argv;
  private Path directory = Path.of(".");
  private Map<String, String> environment = Map.of();
  private Duration timeout = Duration.ofMinutes(2);
  private byte[] stdin = new byte[0];
  private @Nullable Path stdinFile;
  private @Nullable Path stdoutFile;
  private long outputLimit = Long.MAX_VALUE;
  private boolean mergeStderr;
  private String markerName = "SWERL_EXEC_ID";
  private String markerValue = "";
  private String threadName = "swerl-exec";
  private Consumer<Thread> threadSink = t -> {};
  private boolean ownSession;

  private HostCommand(List<String> argv) {
    this.argv = List.copyOf(argv);
  }

  public static HostCommand builder(List<String> argv) {
    return new HostCommand(argv);
  }

  public HostCommand directory(Path value) {
    directory = value;
    return this;
  }

  /** The complete environment of the command (nothing is inherited beyond it). */
  public HostCommand environment(Map<String, String> value) {
    environment = Map.copyOf(value);
    return this;
  }

  public HostCommand timeout(Duration value) {
    timeout = value;
    return this;
  }

  public HostCommand stdin(byte[] value) {
    stdin = value.clone();
    return this;
  }

  /** Standard input read from a host file instead of bytes in memory (for streams of any size). */
  public HostCommand stdinFrom(Path file) {
    stdinFile = file;
    return this;
  }

  /**
   * Standard output written to a host file, whole and uncapped, instead of captured (for file transfers);
   * the result's stdout is then empty.
   */
  public HostCommand stdoutTo(Path file) {
    stdoutFile = file;
    return this;
  }

  public HostCommand outputLimit(long value) {
    outputLimit = value;
    return this;
  }

  public HostCommand mergeStderr(boolean value) {
    mergeStderr = value;
    return this;
  }

  /**
   * An environment variable set on the command and inherited by everything it starts, by which its
   * processes are found and killed on timeout even after they left its session.
   */
  public HostCommand marker(String name, String value) {
    markerName = name;
    markerValue = value;
    return this;
  }

  /**
   * Says that the program calls {@code setsid()} itself, first thing, so no {@code setsid} program is put
   * in front of it (one exec less per command).
   */
  public HostCommand ownSession(boolean value) {
    ownSession = value;
    return this;
  }

  /** The name prefix of the helper threads, and where to hand them so their owner can join them at close. */
  public HostCommand threads(String namePrefix, Consumer<Thread> sink) {
    threadName = namePrefix;
    threadSink = sink;
    return this;
  }

  /**
   * Runs the command to completion or timeout.
   *
   * @throws IOException when the process cannot be started (missing program or directory)
   */
  public ExecResult run() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(argv.size() + 1);
    if (!ownSession) {
      command.add("setsid");
    }
    command.addAll(argv);
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(mergeStderr);
    if (stdinFile != null) {
      builder.redirectInput(stdinFile.toFile());
    }
    if (stdoutFile != null) {
      builder.redirectOutput(stdoutFile.toFile());
    }
    builder.environment().clear();
    builder.environment().putAll(environment);
    if (!markerValue.isEmpty()) {
      builder.environment().put(markerName, markerValue);
    }

    long started = System.nanoTime();
    Process process = builder.start();
    // The JVM's child is not a group leader, so setsid makes it one without forking: pid == pgid == sid.
    long session = process.pid();

    // With stdout in a file there is nothing to pump: the JDK hands back an empty stream.
    @Nullable BoundedOutput out = stdoutFile != null ? null : new BoundedOutput(process.getInputStream(), outputLimit);
    @Nullable BoundedOutput err = mergeStderr ? null : new BoundedOutput(process.getErrorStream(), outputLimit);
    if (out != null) {
      start(out, threadName + "-stdout");
    }
    if (err != null) {
      start(err, threadName + "-stderr");
    }
    if (stdinFile == null) {
      feed(process.getOutputStream());
    }

    boolean timedOut = false;
    try {
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        timedOut = true;
        killTree(session);
      }
      process.waitFor();
    } catch (InterruptedException e) {
      killTree(session);
      throw e;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_GRACE_MILLIS);
    if (out != null) {
      out.awaitEnd(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    if (err != null) {
      err.awaitEnd(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - started);

    BoundedOutput.Captured stdout = out == null ? new BoundedOutput.Captured(new byte[0], 0) : out.freeze();
    BoundedOutput.Captured stderr = err == null ? new BoundedOutput.Captured(new byte[0], 0) : err.freeze();
    return new ExecResult(process.exitValue(), stdout.bytes(), stderr.bytes(), stdout.total(), stderr.total(),
        timedOut, wall);
  }

  /** Kills the command's session, its group, its descendants and everything carrying its marker. */
  private void killTree(long session) {
    String assignment = markerName + "=" + markerValue;
    ProcessKiller.killAll(Set.of(session), e -> !markerValue.isEmpty() && e.hasEnv(assignment));
  }

  private void feed(OutputStream stdinPipe) {
    if (stdin.length == 0) {
      closeQuietly(stdinPipe);
      return;
    }
    Thread writer = Thread.ofPlatform().daemon().name(threadName + "-stdin").unstarted(() -> {
      try (stdinPipe) {
        stdinPipe.write(stdin);
      } catch (IOException e) {
        // The command exited or closed its input without reading everything: that is its business.
      }
    });
    threadSink.accept(writer);
    writer.start();
  }

  private void start(BoundedOutput output, String name) {
    Thread reader = Thread.ofPlatform().daemon().name(name).unstarted(output);
    threadSink.accept(reader);
    reader.start();
  }

  private static void closeQuietly(OutputStream stream) {
    try {
      stream.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
