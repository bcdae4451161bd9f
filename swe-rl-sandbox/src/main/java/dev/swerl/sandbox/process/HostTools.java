package dev.swerl.sandbox.process;

import dev.swerl.api.sandbox.ExecRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Finding host programs, and turning a request's command into the argument vector backends run. */
public final class HostTools {
  private HostTools() {}

  /**
   * The PATH host tools are looked up and run with: the JVM's, plus the sbin directories, which ordinary
   * users often lack although tools such as {@code pivot_root} live there.
   */
  public static String toolPath() {
    String path = System.getenv("PATH");
    StringBuilder result = new StringBuilder(path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
    for (String sbin : List.of("/usr/local/sbin", "/usr/sbin", "/sbin")) {
      if (!(":" + result + ":").contains(":" + sbin + ":")) {
        result.append(':').append(sbin);
      }
    }
    return result.toString();
  }

  /** Whether an executable named {@code program} is on {@link #toolPath()}. */
  public static boolean onPath(String program) {
    for (String dir : toolPath().split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Runs a short host program to completion with no input and returns what it printed (stdout and stderr
   * together).
   *
   * @throws IOException when it cannot start or exits non-zero; the message holds the command and output
   */
  public static String run(List<String> argv) throws IOException {
    Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (process.waitFor() != 0) {
        throw new IOException(String.join(" ", argv) + " failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + argv.get(0), e);
    }
    return output;
  }

  /** The argv of a command: an argv as it is, a shell script behind the given shell (for example bash -lc). */
  public static List<String> argv(ExecRequest.Command command, List<String> shell) {
    return switch (command) {
      case ExecRequest.Command.Argv a -> a.argv();
      case ExecRequest.Command.Shell s -> {
        List<String> argv = new ArrayList<>(shell);
        argv.add(s.script());
        yield argv;
      }
    };
  }
}
