package dev.swerl.sandbox.namespace;

import dev.swerl.sandbox.files.ElfFiles;
import dev.swerl.sandbox.layers.Layer;
import dev.swerl.sandbox.process.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the shell script that turns a fresh set of namespaces into a sandbox: it mounts the overlay root,
 * {@code /proc}, a minimal {@code /dev} and a {@code /tmp}, binds host directories read-only, switches the
 * root with {@code pivot_root} and detaches the old root entirely, then becomes the namespace's init.
 *
 * <p>Detaching the old root needs {@code umount} after {@code pivot_root}, when the host's programs are no
 * longer on the path. The host's {@code umount} is still reachable under the old root, so the script runs
 * it through the host's dynamic loader with the host's library directories, both found once here.
 * Without that step a process in the sandbox could reach the host through the old root.
 */
final class RootSetup {
  /** Where the old root sits between {@code pivot_root} and its unmount; inside the sandbox's own /dev tmpfs. */
  private static final String OLD_ROOT = "/dev/.swerl-oldroot";
  private static final Pattern LDD_PATH = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");

  private final List<String> hostUmount;

  private RootSetup(List<String> hostUmount) {
    this.hostUmount = hostUmount;
  }

  /** Finds how to run the host's umount from under the old root. */
  static RootSetup detect() throws IOException {
    Path umount = null;
    for (String candidate : List.of("/usr/bin/umount", "/bin/umount", "/usr/sbin/umount", "/sbin/umount")) {
      if (Files.isExecutable(Path.of(candidate))) {
        umount = Path.of(candidate).toRealPath();
        break;
      }
    }
    if (umount == null) {
      throw new IOException("umount is not installed: install util-linux (mount)");
    }
    String interpreter = ElfFiles.interpreter(umount);
    List<String> command = new ArrayList<>();
    if (interpreter != null) {
      command.add(OLD_ROOT + Path.of(interpreter).toRealPath());
      command.add("--library-path");
      List<String> dirs = new ArrayList<>();
      for (String dir : libraryDirectories(umount)) {
        dirs.add(OLD_ROOT + dir);
      }
      command.add(String.join(":", dirs));
    }
    command.add(OLD_ROOT + umount);
    return new RootSetup(List.copyOf(command));
  }

  /** The arguments the script takes, in order. */
  record Mounts(Path merged, List<Layer> lowers, Path upper, Path work, String workingDirectory, String hostname,
      boolean network) {}

  /** The overlay's lowerdir value: overlay lists the uppermost lower layer first, specs list the base first. */
  static String lowerDirs(List<Layer> lowers) {
    List<String> dirs = new ArrayList<>();
    for (int i = lowers.size() - 1; i >= 0; i--) {
      dirs.add(overlayPath(lowers.get(i).root()));
    }
    return String.join(":", dirs);
  }

  /** The host directories to bind read-only, in order, without repeats. */
  static Set<String> binds(List<Layer> lowers) {
    Set<String> binds = new LinkedHashSet<>();
    for (int i = lowers.size() - 1; i >= 0; i--) {
      binds.addAll(lowers.get(i).hostBinds());
    }
    return binds;
  }

  /** The arguments of {@code swerl-nsinit} for these mounts (see its source for their meaning). */
  static List<String> nativeArguments(Mounts m) {
    List<String> args = new ArrayList<>();
    if (!m.network()) {
      args.add("--net");
    }
    args.addAll(List.of("--merged", m.merged().toString(), "--lower", lowerDirs(m.lowers()),
        "--upper", overlayPath(m.upper()), "--work", overlayPath(m.work()), "--workdir", m.workingDirectory(),
        "--hostname", m.hostname(), "--oldroot", OLD_ROOT));
    for (String bind : binds(m.lowers())) {
      args.add("--bind");
      args.add(bind);
    }
    return args;
  }

  /** The script, run as {@code sh -c SCRIPT}; it prints {@code ready} once the sandbox is up. */
  String script(Mounts m) {
    Set<String> binds = binds(m.lowers());
    StringBuilder s = new StringBuilder();
    s.append("set -e\n");
    s.append("M=").append(quote(m.merged().toString())).append('\n');
    s.append("mount -t overlay overlay -o ").append(quote("lowerdir=" + lowerDirs(m.lowers())
        + ",upperdir=" + overlayPath(m.upper()) + ",workdir=" + overlayPath(m.work()) + ",userxattr"))
        .append(" \"$M\"\n");
    for (String bind : binds) {
      String q = quote(bind);
      s.append("mkdir -p \"$M\"").append(q).append('\n');
      s.append("mount --rbind ").append(q).append(" \"$M\"").append(q).append('\n');
      s.append("mount -o remount,bind,ro \"$M\"").append(q).append('\n');
    }
    s.append("""
        mkdir -p "$M/proc" "$M/dev" "$M/tmp"
        mount -t proc proc "$M/proc"
        mount -t tmpfs -o mode=755,size=65536k tmpfs "$M/dev"
        for n in null zero full random urandom tty; do touch "$M/dev/$n"; mount --bind "/dev/$n" "$M/dev/$n"; done
        ln -s /proc/self/fd "$M/dev/fd"; ln -s /proc/self/fd/0 "$M/dev/stdin"
        ln -s /proc/self/fd/1 "$M/dev/stdout"; ln -s /proc/self/fd/2 "$M/dev/stderr"
        mkdir -p "$M/dev/shm" "$M/dev/pts"; mount -t tmpfs -o mode=1777 tmpfs "$M/dev/shm"
        mount -t tmpfs -o mode=1777 tmpfs "$M/tmp"
        """);
    s.append("mkdir -p \"$M\"").append(quote(m.workingDirectory())).append('\n');
    s.append("hostname ").append(quote(m.hostname())).append(" 2>/dev/null || true\n");
    if (!m.network()) {
      s.append("ip link set lo up 2>/dev/null || true\n");
    }
    s.append("mkdir \"$M").append(OLD_ROOT).append("\"\n");
    s.append("cd \"$M\"\n");
    s.append("pivot_root . ").append(quote(OLD_ROOT.substring(1))).append('\n');
    for (String arg : hostUmount) {
      s.append(quote(arg)).append(' ');
    }
    s.append("-l ").append(OLD_ROOT).append('\n');
    s.append("cd /\n");
    s.append("echo ready\n");
    // The init: reaps every orphan (the shell waits on any child) and sleeps; it dies only by SIGKILL.
    s.append("exec /bin/sh -c 'trap \"\" TERM INT HUP; while :; do sleep 2147483647 & wait $! ; done'\n");
    return s.toString();
  }

  /** Single-quotes a string for sh. */
  static String quote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  private static String overlayPath(Path path) {
    String text = path.toString();
    if (text.contains(":") || text.contains(",") || text.contains("\\")) {
      throw new IllegalArgumentException("overlayfs cannot take a path with ':', ',' or '\\': " + text
          + " (choose a cache directory without them)");
    }
    return text;
  }

  /** The real directories of the shared libraries a program loads, as {@code ldd} reports them. */
  private static List<String> libraryDirectories(Path program) throws IOException {
    String output = HostTools.run(List.of("ldd", program.toString()));
    Set<String> dirs = new LinkedHashSet<>();
    Matcher matcher = LDD_PATH.matcher(output);
    while (matcher.find()) {
      Path lib = Path.of(matcher.group(1));
      if (Files.exists(lib)) {
        dirs.add(lib.toRealPath().getParent().toString());
      }
    }
    return List.copyOf(dirs);
  }
}
