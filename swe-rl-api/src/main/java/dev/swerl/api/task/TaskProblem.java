package dev.swerl.api.task;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A row of a dataset that could not be turned into a {@link TaskInstance}: where it is and what is wrong.
 * Sources report these and go on with the next row.
 *
 * @param source the file or location read, as a user would type it
 * @param line the 1-based line or row number, or 0 when there is none
 * @param message what is wrong with the row, and what to do about it
 * @param cause the underlying parse error, or {@code null}
 */
@API(status = STABLE)
public record TaskProblem(String source, long line, String message, @Nullable Throwable cause) {
  @Override
  public String toString() {
    return source + (line > 0 ? ":" + line : "") + ": " + message;
  }
}
