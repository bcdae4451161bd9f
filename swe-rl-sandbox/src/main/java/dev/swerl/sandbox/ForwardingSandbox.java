package dev.swerl.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxSpec;
import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * A sandbox that passes every call to another one: extend it and override what you want to change
 * (audit, rewrite or refuse commands), as a custom backend that wraps a built-in one does.
 *
 * <pre>{@code
 * class Logging extends ForwardingSandbox {
 *   Logging(Sandbox delegate) { super(delegate); }
 *   @Override public ExecResult exec(ExecRequest request) {
 *     System.err.println("$ " + request.command().display());
 *     return super.exec(request);
 *   }
 * }
 * }</pre>
 */
@API(status = STABLE)
public abstract class ForwardingSandbox implements Sandbox {
  private final Sandbox delegate;

  protected ForwardingSandbox(Sandbox delegate) {
    this.delegate = delegate;
  }

  /** The wrapped sandbox. */
  protected Sandbox delegate() {
    return delegate;
  }

  @Override
  public String id() {
    return delegate.id();
  }

  @Override
  public String backendName() {
    return delegate.backendName();
  }

  @Override
  public SandboxSpec spec() {
    return delegate.spec();
  }

  @Override
  public String workingDirectory() {
    return delegate.workingDirectory();
  }

  @Override
  public ExecResult exec(ExecRequest request) {
    return delegate.exec(request);
  }

  @Override
  public byte[] readFile(String path) {
    return delegate.readFile(path);
  }

  @Override
  public void writeFile(String path, byte[] content) {
    delegate.writeFile(path, content);
  }

  @Override
  public void copyIn(Path hostSource, String sandboxPath) {
    delegate.copyIn(hostSource, sandboxPath);
  }

  @Override
  public void copyOut(String sandboxPath, Path hostTarget) {
    delegate.copyOut(sandboxPath, hostTarget);
  }

  @Override
  public boolean isClosed() {
    return delegate.isClosed();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + delegate + "]";
  }
}
