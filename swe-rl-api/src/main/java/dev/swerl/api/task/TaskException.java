package dev.swerl.api.task;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.SwerlException;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/** A task or a task source could not be used; the message names the instance id or the source. */
@API(status = STABLE)
public class TaskException extends SwerlException {
  private static final long serialVersionUID = 1L;

  public TaskException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  @Override
  public TaskException with(String key, @Nullable Object value) {
    super.with(key, value);
    return this;
  }

  /** A failure concerning one instance, with its id in the context. */
  public static TaskException of(String instanceId, String message, @Nullable Throwable cause) {
    return new TaskException(message, cause).with("instance", instanceId);
  }

  /** The instance concerned, or {@code null}. */
  public @Nullable String instanceId() {
    return context("instance");
  }
}
