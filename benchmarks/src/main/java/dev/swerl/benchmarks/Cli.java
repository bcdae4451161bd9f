package dev.swerl.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host command to its end and returns its standard output: the least a Java program does to
 * drive a command-line engine, so that the engine, not this runner, is what the numbers measure.
 */
final class Cli {
  private Cli() {}

  /** A command that exited non-zero or ran past its timeout; carries the command and what it printed. */
  static final class CommandFailedException extends RuntimeException {
    CommandFailedException(String message) {
      super(message);
    }
  }

  /**
   * Runs {@code argv}, waits at most {@code timeout}, and returns its standard output.
   *
   * @throws CommandFailedException when it exits non-zero or times out (it is then killed)
   */
  static String run(List<String> argv, Duration timeout) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(argv).start();
    process.getOutputStream().close();
    CompletableFuture<byte[]> stderr = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try (InputStream err = process.getErrorStream()) {
        stderr.complete(err.readAllBytes());
      } catch (IOException e) {
        stderr.complete(new byte[0]);
      }
    });
    byte[] stdout;
    try (InputStream out = process.getInputStream()) {
      stdout = out.readAllBytes();
    }
    if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      process.destroyForcibly();
      throw new CommandFailedException(String.join(" ", argv) + " did not finish within " + timeout);
    }
    int exit = process.exitValue();
    if (exit != 0) {
      String err;
      try {
        err = new String(stderr.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8).strip();
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        err = "(standard error unreadable)";
      }
      throw new CommandFailedException(String.join(" ", argv) + " exited " + exit + ": " + err);
    }
    return new String(stdout, StandardCharsets.UTF_8);
  }
}
