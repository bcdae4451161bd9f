package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * A place to run commands and keep files, private to one rollout or one evaluation, that leaves
 * nothing behind when closed.
 *
 * <pre>{@code
 * try (Sandbox sandbox = SandboxBackends.defaultBackend().create(SandboxSpec.builder().build())) {
 *   ExecResult result = sandbox.exec(ExecRequest.shell("git init -q repo && ls"));
 *   System.out.println(result.exitCode() + ": " + result.stdoutText());
 * }
 * }</pre>
 *
 * <h2>Paths</h2>
 * Paths inside the sandbox are strings: absolute, or relative to {@link #workingDirectory()}. A path
 * with a {@code ..} segment, a NUL character, or nothing in it is refused with
 * {@link IllegalArgumentException} before anything is touched (see {@link SandboxPaths}), so no
 * caller can reach outside a sandbox by accident or on purpose.
 *
 * <h2>Failures</h2>
 * A command that runs and fails is a result, not an exception: see {@link ExecResult#exitCode()} and
 * {@link ExecResult#timedOut()}. A {@link SandboxException} means the sandbox itself failed (the
 * command could not be started, a file could not be copied). Any call after {@link #close()} throws
 * {@link IllegalStateException}.
 *
 * <p>Implementations are safe for use from several threads at once: two commands may run concurrently
 * in one sandbox.
 */
@API(status = STABLE)
public interface Sandbox extends AutoCloseable {

  /** A short identifier, unique on this host while the sandbox lives; it appears in errors and resource labels. */
  String id();

  /** The {@linkplain SandboxBackend#name() name} of the backend that made this sandbox. */
  String backendName();

  /** The specification this sandbox was created from. */
  SandboxSpec spec();

  /** The absolute path, inside the sandbox, where commands run unless a request says otherwise. */
  String workingDirectory();

  /**
   * Runs one command to completion, or until its timeout kills it and every process it started.
   *
   * @throws SandboxException when the command could not be run at all
   * @throws IllegalStateException when the sandbox is closed
   */
  ExecResult exec(ExecRequest request);

  /** Runs a shell script with the spec's shell and the request defaults; see {@link ExecRequest#shell(String)}. */
  default ExecResult exec(String script) {
    return exec(ExecRequest.shell(script));
  }

  /**
   * Reads a whole regular file.
   *
   * @throws SandboxException when the file does not exist or cannot be read
   */
  byte[] readFile(String path);

  /** Reads a whole file and decodes it as UTF-8, replacing malformed input. */
  default String readString(String path) {
    return new String(readFile(path), StandardCharsets.UTF_8);
  }

  /** Writes a regular file, creating missing parent directories and replacing what was there. */
  void writeFile(String path, byte[] content);

  /** Writes a string as UTF-8; see {@link #writeFile(String, byte[])}. */
  default void writeString(String path, String content) {
    writeFile(path, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Copies a host file or directory tree into the sandbox so that it lands at {@code sandboxPath},
   * keeping file modes and copying symbolic links as links. Missing parent directories are created; a
   * directory is merged into a directory already there, and files replace files at the same paths.
   */
  void copyIn(Path hostSource, String sandboxPath);

  /**
   * Copies a sandbox file or directory tree out to {@code hostTarget}, which must not exist yet. Symbolic
   * links are copied as links, never followed, so a link inside the sandbox cannot pull in host files.
   */
  void copyOut(String sandboxPath, Path hostTarget);

  /** Whether {@link #close()} has been called. */
  boolean isClosed();

  /**
   * Stops every process of the sandbox and removes everything it created. Idempotent: a second call
   * does nothing. Never throws for a failure to clean up; such failures are logged and left to the
   * backend's reaper.
   */
  @Override
  void close();
}
