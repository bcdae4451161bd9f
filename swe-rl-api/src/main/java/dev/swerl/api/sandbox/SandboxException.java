package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.SwerlException;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A sandbox failed: it could not start, a command could not be launched, a file could not be copied.
 * The message names the sandbox and, where there is one, the command or path.
 *
 * <p>A command that runs and exits non-zero, or that times out, is not an exception but an
 * {@link ExecResult}.
 */
@API(status = STABLE)
public class SandboxException extends SwerlException {
  private static final long serialVersionUID = 1L;

  public SandboxException(String message) {
    super(message);
  }

  public SandboxException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public SandboxException with(String key, @Nullable Object value) {
    super.with(key, value);
    return this;
  }

  /** A failure of one sandbox, with its id in the context. */
  public static SandboxException of(String sandboxId, String message, @Nullable Throwable cause) {
    return new SandboxException(message, cause).with("sandbox", sandboxId);
  }

  /** The id of the sandbox that failed, or {@code null} when it failed before it had one. */
  public @Nullable String sandboxId() {
    return context("sandbox");
  }
}
