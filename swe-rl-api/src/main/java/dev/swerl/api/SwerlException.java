package dev.swerl.api;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The root of swe-rl's own unchecked exceptions: a domain failure that carries the context a reader
 * needs to act on it (which sandbox, which command, which task instance).
 *
 * <p>The context is appended to the message, so a log line alone says what failed and where:
 *
 * <pre>{@code
 * throw new SandboxException("command timed out while starting", cause)
 *     .with("sandbox", id).with("command", "git clone ...");
 * }</pre>
 *
 * <p>Caller mistakes (a bad argument, use after close) are not reported with this type but with
 * {@link IllegalArgumentException} and {@link IllegalStateException}.
 */
@API(status = STABLE)
public class SwerlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Map<String, String> context = new LinkedHashMap<>();

  public SwerlException(String message) {
    super(message);
  }

  public SwerlException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** Adds one item of context (a {@code null} value is recorded as {@code "null"}) and returns this exception. */
  public SwerlException with(String key, @Nullable Object value) {
    context.put(key, String.valueOf(value));
    return this;
  }

  /** The context recorded so far, in the order it was added. */
  public Map<String, String> context() {
    return Map.copyOf(context);
  }

  /** One item of context, or {@code null} when it was not recorded. */
  public @Nullable String context(String key) {
    return context.get(key);
  }

  @Override
  public String getMessage() {
    String message = super.getMessage();
    if (context.isEmpty()) {
      return message;
    }
    StringBuilder text = new StringBuilder(message == null ? "" : message).append(" [");
    boolean first = true;
    for (Map.Entry<String, String> item : context.entrySet()) {
      if (!first) {
        text.append(", ");
      }
      first = false;
      text.append(item.getKey()).append('=').append(item.getValue());
    }
    return text.append(']').toString();
  }
}
