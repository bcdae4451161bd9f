package dev.swerl.api.train;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.SwerlException;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/** A training step, a checkpoint or a model load failed; the message says which and where. */
@API(status = STABLE)
public class TrainerException extends SwerlException {
  private static final long serialVersionUID = 1L;

  public TrainerException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
