package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What a command did: its exit code, its output as bytes, whether it timed out or produced more output
 * than was kept, and how long it took.
 *
 * <p>Output is kept as bytes because commands print anything; {@link #stdoutText()} and
 * {@link #stderrText()} decode it as UTF-8 leniently (malformed bytes become U+FFFD), so reading
 * output never throws.
 *
 * @param exitCode the exit status; {@code 128 + n} when the process was killed by signal {@code n}
 *     (so a command killed on timeout usually reports 137)
 * @param stdout the standard output kept, at most the request's output limit
 * @param stderr the standard error kept, at most the request's output limit
 * @param stdoutBytes how many bytes the command wrote to standard output in all, kept or not
 * @param stderrBytes how many bytes the command wrote to standard error in all, kept or not
 * @param timedOut whether the timeout passed and the command was killed
 * @param wallTime time from start to the end of the command
 */
@API(status = STABLE)
public record ExecResult(
    int exitCode,
    byte[] stdout,
    byte[] stderr,
    long stdoutBytes,
    long stderrBytes,
    boolean timedOut,
    Duration wallTime) {

  public ExecResult {
    stdout = stdout.clone();
    stderr = stderr.clone();
    if (stdoutBytes < stdout.length || stderrBytes < stderr.length) {
      throw new IllegalArgumentException("total byte counts cannot be below the bytes kept: stdout "
          + stdoutBytes + " < " + stdout.length + " or stderr " + stderrBytes + " < " + stderr.length);
    }
  }

  /** A result whose output was kept whole. */
  public static ExecResult of(int exitCode, byte[] stdout, byte[] stderr, boolean timedOut, Duration wallTime) {
    return new ExecResult(exitCode, stdout, stderr, stdout.length, stderr.length, timedOut, wallTime);
  }

  @Override
  public byte[] stdout() {
    return stdout.clone();
  }

  @Override
  public byte[] stderr() {
    return stderr.clone();
  }

  /** Standard output decoded as UTF-8, malformed bytes replaced. */
  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  /** Standard error decoded as UTF-8, malformed bytes replaced. */
  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  /** Standard output followed by standard error, as text. */
  public String outputText() {
    return stderr.length == 0 ? stdoutText() : stdoutText() + stderrText();
  }

  /** Whether some standard output was dropped because of the output limit. */
  public boolean stdoutTruncated() {
    return stdoutBytes > stdout.length;
  }

  /** Whether some standard error was dropped because of the output limit. */
  public boolean stderrTruncated() {
    return stderrBytes > stderr.length;
  }

  /** Whether any output was dropped. */
  public boolean truncated() {
    return stdoutTruncated() || stderrTruncated();
  }

  /** Whether the command finished in time with exit code 0. */
  public boolean succeeded() {
    return exitCode == 0 && !timedOut;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ExecResult that
        && exitCode == that.exitCode
        && Arrays.equals(stdout, that.stdout)
        && Arrays.equals(stderr, that.stderr)
        && stdoutBytes == that.stdoutBytes
        && stderrBytes == that.stderrBytes
        && timedOut == that.timedOut
        && wallTime.equals(that.wallTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(exitCode, Arrays.hashCode(stdout), Arrays.hashCode(stderr), stdoutBytes, stderrBytes,
        timedOut, wallTime);
  }

  @Override
  public String toString() {
    return "ExecResult[exit=" + exitCode + (timedOut ? ", timed out" : "") + ", stdout=" + stdout.length + "/"
        + stdoutBytes + " bytes, stderr=" + stderr.length + "/" + stderrBytes + " bytes, " + wallTime.toMillis()
        + " ms]";
  }
}
