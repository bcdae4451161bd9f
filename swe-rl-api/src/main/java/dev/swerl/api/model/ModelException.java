package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.SwerlException;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A model could not answer: the server refused or failed, the connection broke, the reply could not be
 * read. {@link #retryable()} says whether the same request may succeed later (rate limits, 5xx, timeouts).
 */
@API(status = STABLE)
public class ModelException extends SwerlException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  public ModelException(String message, boolean retryable, @Nullable Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether trying again may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
