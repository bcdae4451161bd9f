package dev.swerl.samples.custom;

import dev.swerl.api.sandbox.Availability;
import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.api.sandbox.SandboxBackends;
import dev.swerl.api.sandbox.SandboxCapability;
import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.ForwardingSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A sandbox backend named {@code audit} that runs everything on another backend and appends one line per
 * command to an audit log: when, which sandbox, where, what, and how it ended. It is the recipe for a
 * custom backend:
 *
 * <ol>
 *   <li>implement {@link SandboxBackend} (here by wrapping another backend's sandboxes in a
 *       {@link ForwardingSandbox});
 *   <li>list the class in {@code META-INF/services/dev.swerl.api.sandbox.SandboxBackend};
 *   <li>select it with {@code SandboxBackends.named("audit")} or {@code -Dswerl.sandbox.backend=audit};
 *   <li>prove it with a test that extends {@code dev.swerl.sandbox.testkit.SandboxContract}.
 * </ol>
 *
 * <p>Configuration when made by {@link java.util.ServiceLoader}: system property {@value #DELEGATE_PROPERTY}
 * names the wrapped backend (default: the best available other backend), and {@value #LOG_PROPERTY}
 * the log file (default {@code swerl-audit.log} in the temporary directory).
 */
public final class AuditingSandboxBackend implements SandboxBackend {
  public static final String DELEGATE_PROPERTY = "swerl.audit.delegate";
  public static final String LOG_PROPERTY = "swerl.audit.log";

  private final Supplier<SandboxBackend> delegate;
  private final Path log;

  /** The no-argument constructor {@link java.util.ServiceLoader} uses; configuration comes from system properties. */
  public AuditingSandboxBackend() {
    this(AuditingSandboxBackend::configuredDelegate,
        Path.of(System.getProperty(LOG_PROPERTY, Path.of(System.getProperty("java.io.tmpdir"), "swerl-audit.log").toString())));
  }

  /** Wraps {@code delegate}, logging to {@code log}. */
  public AuditingSandboxBackend(SandboxBackend delegate, Path log) {
    this(() -> delegate, log);
  }

  private AuditingSandboxBackend(Supplier<SandboxBackend> delegate, Path log) {
    this.delegate = delegate;
    this.log = log;
  }

  /** The audit log file. */
  public Path log() {
    return log;
  }

  @Override
  public String name() {
    return "audit";
  }

  /** Below every built-in: the audit backend is used only when asked for by name. */
  @Override
  public int priority() {
    return -100;
  }

  @Override
  public Availability availability() {
    try {
      return delegate.get().availability();
    } catch (RuntimeException e) {
      return Availability.unavailable("no backend to wrap: " + e.getMessage());
    }
  }

  @Override
  public Set<SandboxCapability> capabilities() {
    return delegate.get().capabilities();
  }

  @Override
  public Sandbox create(SandboxSpec spec) {
    Sandbox sandbox = delegate.get().create(spec);
    append(sandbox, "create", "backend=" + sandbox.backendName());
    return new Audited(sandbox);
  }

  private final class Audited extends ForwardingSandbox {
    Audited(Sandbox delegate) {
      super(delegate);
    }

    @Override
    public String backendName() {
      return name();
    }

    @Override
    public ExecResult exec(ExecRequest request) {
      ExecResult result;
      try {
        result = super.exec(request);
      } catch (RuntimeException e) {
        append(this, "exec", quote(request.command().display()) + " failed: " + e.getMessage());
        throw e;
      }
      append(this, "exec", quote(request.command().display()) + " cwd=" + request.workingDirectory()
          + " exit=" + result.exitCode() + (result.timedOut() ? " timed-out" : "")
          + " ms=" + result.wallTime().toMillis());
      return result;
    }

    @Override
    public void close() {
      if (!isClosed()) {
        append(this, "close", "");
      }
      super.close();
    }
  }

  private synchronized void append(Sandbox sandbox, String event, String detail) {
    String line = Instant.now() + " " + sandbox.id() + " " + event + (detail.isEmpty() ? "" : " " + detail) + "\n";
    try {
      Path parent = log.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw SandboxException.of(sandbox.id(), "cannot write the audit log " + log, e);
    }
  }

  /** One line per command, whatever the command holds. */
  private static String quote(String command) {
    return "'" + command.replace("\\", "\\\\").replace("\n", "\\n").replace("'", "\\'") + "'";
  }

  private static SandboxBackend configuredDelegate() {
    @Nullable String name = System.getProperty(DELEGATE_PROPERTY);
    if (name != null && !name.isBlank()) {
      return SandboxBackends.named(name);
    }
    return SandboxBackends.all().stream()
        .filter(b -> !(b instanceof AuditingSandboxBackend))
        .filter(b -> b.availability().available())
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no available sandbox backend to audit"));
  }
}
