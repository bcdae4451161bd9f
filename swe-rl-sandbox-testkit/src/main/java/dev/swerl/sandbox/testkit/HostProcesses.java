package dev.swerl.sandbox.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Looks for processes on the host by their command line, to check that a sandbox left none behind. */
public final class HostProcesses {
  private HostProcesses() {}

  /** {@code "pid: command line"} of every host process whose command line contains {@code text}. */
  public static List<String> withCommandLineContaining(String text) {
    List<String> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), d -> d.getFileName().toString().matches("\\d+"))) {
      for (Path dir : dirs) {
        try {
          String cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8)
              .replace('\0', ' ').trim();
          if (cmdline.contains(text) && !isZombie(dir)) {
            found.add(dir.getFileName() + ": " + cmdline);
          }
        } catch (IOException e) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc to look for leftover processes", e);
    }
    return found;
  }

  private static boolean isZombie(Path dir) throws IOException {
    String stat = Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1);
    char state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state == 'Z' || state == 'X';
  }
}
