package dev.swerl.sandbox.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A read of Linux's {@code /proc}: the processes of the host with their session, process group and
 * environment. Processes that vanish while being read are skipped.
 */
public final class ProcTable {
  private static final Path PROC = Path.of("/proc");

  private ProcTable() {}

  /** What {@code /proc/PID/stat} says of a process, and its environment when it can be read. */
  public record Entry(long pid, char state, long ppid, long pgid, long session, List<String> environ) {
    /** Whether the process has exited and waits to be reaped by its parent. */
    public boolean zombie() {
      return state == 'Z' || state == 'X';
    }

    /** Whether the environment holds exactly {@code NAME=value}. */
    public boolean hasEnv(String assignment) {
      return environ.contains(assignment);
    }
  }

  /**
   * When a process started, in clock ticks since boot ({@code /proc/PID/stat} field 22), or -1 when there is
   * no such process. With the pid it identifies a process for good, since pids are reused.
   */
  public static long startTime(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
      return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The process with this id, or {@code null} when there is none. */
  public static @Nullable Entry get(long pid) {
    return read(PROC.resolve(Long.toString(pid)));
  }

  /** Every process the predicate accepts, read now. */
  public static List<Entry> find(Predicate<Entry> predicate) {
    List<Entry> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, ProcTable::isPid)) {
      for (Path dir : dirs) {
        Entry entry = read(dir);
        if (entry != null && predicate.test(entry)) {
          found.add(entry);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: swe-rl's process handling needs Linux's procfs", e);
    }
    return found;
  }

  private static boolean isPid(Path dir) {
    String name = dir.getFileName().toString();
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return false;
      }
    }
    return !name.isEmpty();
  }

  private static @Nullable Entry read(Path dir) {
    try {
      String stat = Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1);
      // "pid (comm) state ppid pgrp session ..." where comm may hold spaces and parentheses.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long pid = Long.parseLong(dir.getFileName().toString());
      List<String> environ;
      try {
        environ = List.of(new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.UTF_8).split("\0"));
      } catch (IOException e) {
        environ = List.of();
      }
      return new Entry(pid, fields[0].charAt(0), Long.parseLong(fields[1]), Long.parseLong(fields[2]),
          Long.parseLong(fields[3]), environ);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
