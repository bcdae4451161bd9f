package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * The rule every backend applies to a path that names something inside a sandbox.
 *
 * <p>A path is refused, with an {@link IllegalArgumentException} that names it, when it is empty,
 * holds a NUL character, or has a {@code ..} segment. Refusing {@code ..} outright (instead of
 * normalising it) keeps the rule the same for every backend, including those that map sandbox paths
 * onto host directories where climbing out would reach the host.
 */
@API(status = STABLE)
public final class SandboxPaths {
  private SandboxPaths() {}

  /**
   * Returns {@code path} unchanged when it is acceptable.
   *
   * @param what what the path is for, used in the message (for example {@code "readFile path"})
   * @throws IllegalArgumentException when the path is refused
   */
  public static String check(String path, String what) {
    if (path == null || path.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(what + " must not contain a NUL character: " + printable(path));
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) {
        throw new IllegalArgumentException(
            what + " must not contain a '..' segment (paths may not climb out of a directory): " + printable(path));
      }
    }
    return path;
  }

  /**
   * Resolves an accepted path against a working directory: an absolute path is returned as it is, a
   * relative one is joined to {@code workingDirectory}. {@code .} segments and repeated slashes are removed.
   */
  public static String resolve(String workingDirectory, String path) {
    String joined = path.startsWith("/") ? path : workingDirectory + "/" + path;
    StringBuilder normal = new StringBuilder();
    for (String segment : joined.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      normal.append('/').append(segment);
    }
    return normal.isEmpty() ? "/" : normal.toString();
  }

  private static String printable(String path) {
    return "'" + path.replace("\0", "\\0") + "'";
  }
}
