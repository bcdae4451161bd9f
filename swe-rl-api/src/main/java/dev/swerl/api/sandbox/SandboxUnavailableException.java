package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/** A backend cannot work on this host; the message says what the host lacks and what to do. */
@API(status = STABLE)
public class SandboxUnavailableException extends SandboxException {
  private static final long serialVersionUID = 1L;

  private final String backend;

  public SandboxUnavailableException(String backend, String reason) {
    super("sandbox backend '" + backend + "' is not available: " + reason);
    this.backend = backend;
  }

  /** The name of the backend that cannot work. */
  public String backend() {
    return backend;
  }
}
