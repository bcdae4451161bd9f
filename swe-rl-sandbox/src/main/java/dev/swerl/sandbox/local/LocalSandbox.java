package dev.swerl.sandbox.local;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.api.sandbox.SandboxPaths;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.process.HostCommand;
import dev.swerl.sandbox.process.HostTools;
import dev.swerl.sandbox.process.ProcessKiller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sandbox that is only a private host directory: see {@link LocalSandboxBackend} for what it does and
 * does not guarantee.
 *
 * <p>Sandbox paths are host paths. The working directory is the private directory, or the spec's working
 * directory made relative to it ({@code /testbed} becomes {@code <dir>/testbed}). File operations reach
 * only files under the private directory: an absolute path elsewhere, or a symbolic link that leads out,
 * is refused.
 */
final class LocalSandbox implements Sandbox {
  /** Environment variable that marks every process of a local sandbox with the sandbox's id. */
  static final String SANDBOX_MARKER = "SWERL_SANDBOX_ID";
  /** Environment variable that marks every process of one command with the command's id. */
  static final String EXEC_MARKER = "SWERL_EXEC_ID";

  private static final System.Logger LOG = System.getLogger(LocalSandbox.class.getName());

  private final String id;
  private final SandboxSpec spec;
  private final Path root;
  private final Path realRoot;
  private final Path workdir;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong execs = new AtomicLong();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  LocalSandbox(SandboxSpec spec, Path directory) throws IOException {
    this.id = "local-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    this.spec = spec;
    this.root = directory.toAbsolutePath();
    this.realRoot = root.toRealPath();
    String relative = spec.workingDirectory() == null ? "" : spec.workingDirectory().substring(1);
    this.workdir = relative.isEmpty() ? root : root.resolve(relative);
    Files.createDirectories(workdir);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String backendName() {
    return "local";
  }

  @Override
  public SandboxSpec spec() {
    return spec;
  }

  @Override
  public String workingDirectory() {
    return workdir.toString();
  }

  /** The private directory on the host. */
  Path root() {
    return root;
  }

  @Override
  public ExecResult exec(ExecRequest request) {
    ensureOpen();
    List<String> argv = HostTools.argv(request.command(), spec.shell());
    Path directory = request.workingDirectory() == null ? workdir : hostPath(request.workingDirectory(), "working directory");
    Map<String, String> env = new HashMap<>(System.getenv());
    env.putAll(spec.env());
    env.putAll(request.env());
    env.put(SANDBOX_MARKER, id);
    // Shells print $PWD for `pwd` when it names the current directory: keep it the sandbox's spelling.
    env.put("PWD", directory.toString());
    String execId = id + "-" + execs.incrementAndGet();
    threads.removeIf(t -> !t.isAlive());
    try {
      return HostCommand.builder(argv)
          .directory(directory)
          .environment(env)
          .timeout(request.timeout())
          .stdin(request.stdin())
          .outputLimit(request.outputLimitBytes())
          .mergeStderr(request.mergeStderr())
          .marker(EXEC_MARKER, execId)
          .threads("swerl-" + execId, threads::add)
          .run();
    } catch (IOException e) {
      throw SandboxException.of(id, "cannot start command: " + e.getMessage(), e)
          .with("command", request.command().display())
          .with("cwd", directory);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SandboxException.of(id, "interrupted while running a command", e)
          .with("command", request.command().display());
    }
  }

  @Override
  public byte[] readFile(String path) {
    ensureOpen();
    Path file = hostPath(path, "readFile path");
    try {
      checkInside(file.toRealPath(), path);
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw fileError("cannot read " + path, e);
    }
  }

  @Override
  public void writeFile(String path, byte[] content) {
    ensureOpen();
    Path file = hostPath(path, "writeFile path");
    try {
      createParents(file, path);
      if (Files.isSymbolicLink(file)) {
        Files.delete(file);
      }
      Files.write(file, content, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw fileError("cannot write " + path, e);
    }
  }

  @Override
  public void copyIn(Path hostSource, String sandboxPath) {
    ensureOpen();
    Path target = hostPath(sandboxPath, "copyIn target");
    if (!Files.exists(hostSource, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("copyIn source does not exist on the host: " + hostSource);
    }
    try {
      createParents(target, sandboxPath);
      if (Files.isSymbolicLink(target)) {
        Files.delete(target);
      }
      FileTrees.copy(hostSource, target);
    } catch (IOException e) {
      throw fileError("cannot copy " + hostSource + " into " + sandboxPath, e);
    }
  }

  @Override
  public void copyOut(String sandboxPath, Path hostTarget) {
    ensureOpen();
    Path source = hostPath(sandboxPath, "copyOut source");
    if (Files.exists(hostTarget, LinkOption.NOFOLLOW_LINKS)) {
      throw new IllegalArgumentException("copyOut target already exists on the host: " + hostTarget);
    }
    try {
      if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
        throw new NoSuchFileException(sandboxPath);
      }
      checkInside(source.getParent().toRealPath(), sandboxPath);
      Path parent = hostTarget.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      FileTrees.copy(source, hostTarget);
    } catch (IOException e) {
      throw fileError("cannot copy " + sandboxPath + " out to " + hostTarget, e);
    }
  }

  @Override
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      String marker = SANDBOX_MARKER + "=" + id;
      int survivors = ProcessKiller.killAll(Set.of(), e -> e.hasEnv(marker));
      if (survivors > 0) {
        LOG.log(System.Logger.Level.WARNING, "{0}: {1} processes survived close", id, survivors);
      }
      for (Thread thread : threads) {
        thread.join(5_000);
        if (thread.isAlive()) {
          LOG.log(System.Logger.Level.WARNING, "{0}: thread {1} still runs after close", id, thread.getName());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, id + ": failed to stop processes on close", e);
    } finally {
      threads.clear();
      try {
        FileTrees.deleteRecursively(root);
      } catch (IOException | UncheckedIOException e) {
        LOG.log(System.Logger.Level.WARNING, id + ": failed to delete " + root, e);
      }
    }
  }

  @Override
  public String toString() {
    return "LocalSandbox[" + id + " at " + root + (closed.get() ? ", closed" : "") + "]";
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("sandbox " + id + " is closed");
    }
  }

  /** The host path for a sandbox path, refused when it is not under the private directory. */
  private Path hostPath(String path, String what) {
    SandboxPaths.check(path, what);
    Path resolved = Path.of(SandboxPaths.resolve(workdir.toString(), path));
    if (!resolved.startsWith(root)) {
      throw new IllegalArgumentException(what + " is outside this local sandbox (" + root
          + "); the local backend reaches only files under its own directory: " + path);
    }
    return resolved;
  }

  /** Creates the parent directories of {@code file}, refusing when an existing one is a link that leads out. */
  private void createParents(Path file, String path) throws IOException {
    Path existing = file.getParent();
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing != null) {
      checkInside(existing.toRealPath(), path);
    }
    Files.createDirectories(file.getParent());
    checkInside(file.getParent().toRealPath(), path);
  }

  private void checkInside(Path real, String path) {
    if (!real.startsWith(realRoot)) {
      throw new IllegalArgumentException("path leads outside the local sandbox through a symbolic link: " + path
          + " -> " + real);
    }
  }

  private SandboxException fileError(String message, IOException e) {
    String detail = e instanceof NoSuchFileException ? "no such file or directory" : e.toString();
    return SandboxException.of(id, message + ": " + detail, e);
  }
}
