package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One command to run in a sandbox, with its working directory, extra environment, timeout, standard
 * input and output cap.
 *
 * <pre>{@code
 * ExecRequest request = ExecRequest.shell("python -m pytest -x tests/")
 *     .toBuilder()
 *     .timeout(Duration.ofMinutes(5))
 *     .env("PYTHONHASHSEED", "0")
 *     .build();
 * }</pre>
 *
 * @param command what to run: an argument vector or a shell script
 * @param workingDirectory where to run it (absolute, or relative to the sandbox's working directory);
 *     {@code null} for the sandbox's working directory
 * @param env variables added to (and overriding) the sandbox spec's environment for this command
 * @param timeout wall-clock limit; when it passes, the command and every process it started are killed.
 *     Default {@value #DEFAULT_TIMEOUT_SECONDS} seconds
 * @param stdin bytes fed to standard input, which is then closed; empty by default
 * @param outputLimitBytes the most bytes kept of standard output and, separately, of standard error;
 *     the rest is read and counted but dropped, and the result says so. Default {@value #DEFAULT_OUTPUT_LIMIT_BYTES}
 * @param mergeStderr whether standard error goes into standard output, interleaved as written (as
 *     mini-swe-agent captures actions); the result's stderr is then empty
 */
@API(status = STABLE)
public record ExecRequest(
    Command command,
    @Nullable String workingDirectory,
    Map<String, String> env,
    Duration timeout,
    byte[] stdin,
    long outputLimitBytes,
    boolean mergeStderr) {

  /** Default {@link #timeout()} in seconds. */
  public static final long DEFAULT_TIMEOUT_SECONDS = 120;

  /** Default {@link #outputLimitBytes()}: 16 MiB per stream. */
  public static final long DEFAULT_OUTPUT_LIMIT_BYTES = 16L << 20;

  public ExecRequest {
    env = Map.copyOf(env);
    stdin = stdin.clone();
    if (workingDirectory != null) {
      SandboxPaths.check(workingDirectory, "working directory");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (outputLimitBytes < 0) {
      throw new IllegalArgumentException("output limit must not be negative: " + outputLimitBytes);
    }
    for (String key : env.keySet()) {
      SandboxSpec.checkEnvName(key);
    }
  }

  /** The standard input bytes (a copy). */
  @Override
  public byte[] stdin() {
    return stdin.clone();
  }

  /** A shell script, run with the sandbox spec's {@linkplain SandboxSpec#shell() shell} ({@code bash -lc} by default). */
  public static ExecRequest shell(String script) {
    return builder(new Command.Shell(script)).build();
  }

  /** A program and its arguments, run without a shell: nothing is expanded or interpreted. */
  public static ExecRequest argv(String... argv) {
    return builder(new Command.Argv(List.of(argv))).build();
  }

  /** A program and its arguments, run without a shell. */
  public static ExecRequest argv(List<String> argv) {
    return builder(new Command.Argv(argv)).build();
  }

  public static Builder builder(Command command) {
    return new Builder(command);
  }

  public Builder toBuilder() {
    Builder builder = new Builder(command);
    builder.workingDirectory = workingDirectory;
    builder.env.putAll(env);
    builder.timeout = timeout;
    builder.stdin = stdin;
    builder.outputLimitBytes = outputLimitBytes;
    builder.mergeStderr = mergeStderr;
    return builder;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ExecRequest that
        && command.equals(that.command)
        && Objects.equals(workingDirectory, that.workingDirectory)
        && env.equals(that.env)
        && timeout.equals(that.timeout)
        && Arrays.equals(stdin, that.stdin)
        && outputLimitBytes == that.outputLimitBytes
        && mergeStderr == that.mergeStderr;
  }

  @Override
  public int hashCode() {
    return Objects.hash(command, workingDirectory, env, timeout, Arrays.hashCode(stdin),
        outputLimitBytes, mergeStderr);
  }

  @Override
  public String toString() {
    return "ExecRequest[" + command + ", cwd=" + workingDirectory + ", env=" + env.keySet() + ", timeout=" + timeout
        + ", stdin=" + stdin.length + " bytes, outputLimit=" + outputLimitBytes + ", mergeStderr=" + mergeStderr + "]";
  }

  /** What to run. */
  public sealed interface Command {
    /** A short form for messages and logs. */
    String display();

    /** A program and its arguments, run directly. */
    record Argv(List<String> argv) implements Command {
      public Argv {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
          throw new IllegalArgumentException("argv must name a program");
        }
        for (String arg : argv) {
          if (arg.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an argument must not contain a NUL character: " + argv);
          }
        }
      }

      @Override
      public String display() {
        return String.join(" ", argv);
      }
    }

    /** A script for the sandbox's shell. */
    record Shell(String script) implements Command {
      public Shell {
        if (script.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("a shell script must not contain a NUL character");
        }
      }

      @Override
      public String display() {
        return script;
      }
    }
  }

  /** Builds an {@link ExecRequest}; every setter returns the builder. */
  public static final class Builder {
    private Command command;
    private @Nullable String workingDirectory;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
    private byte[] stdin = new byte[0];
    private long outputLimitBytes = DEFAULT_OUTPUT_LIMIT_BYTES;
    private boolean mergeStderr;

    private Builder(Command command) {
      this.command = command;
    }

    /** Replaces the command, keeping every other setting (for wrappers that rewrite commands). */
    public Builder command(Command value) {
      command = value;
      return this;
    }

    public Builder workingDirectory(@Nullable String value) {
      workingDirectory = value;
      return this;
    }

    public Builder env(String key, String value) {
      env.put(key, value);
      return this;
    }

    public Builder env(Map<String, String> values) {
      env.putAll(values);
      return this;
    }

    public Builder timeout(Duration value) {
      timeout = value;
      return this;
    }

    public Builder stdin(byte[] value) {
      stdin = value.clone();
      return this;
    }

    public Builder stdin(String value) {
      stdin = value.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    public Builder outputLimitBytes(long value) {
      outputLimitBytes = value;
      return this;
    }

    public Builder mergeStderr(boolean value) {
      mergeStderr = value;
      return this;
    }

    public ExecRequest build() {
      return new ExecRequest(command, workingDirectory, env, timeout, stdin, outputLimitBytes, mergeStderr);
    }
  }
}
