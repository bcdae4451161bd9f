package dev.swerl.api.reward;

import static org.apiguardian.api.API.Status.STABLE;

import java.time.Duration;
import java.util.Map;
import org.apiguardian.api.API;

/**
 * The score of one patch on one task.
 *
 * <p>An {@link Outcome#INFRA_FAILURE} means the patch was never judged (the sandbox or engine failed): a
 * trainer should drop that rollout rather than learn a zero from it. A wrong patch, including one whose
 * tests time out, is {@link Outcome#SCORED} with value 0.
 *
 * @param value the reward, usually 0.0 or 1.0 (fractions for partial-credit variants)
 * @param outcome whether the patch was judged
 * @param reason a one-line explanation ("eval script exited 0", "empty patch", "2 of 3 FAIL_TO_PASS failed")
 * @param log the full evaluation log (patch application and test output)
 * @param details structured results, for example per-test statuses; values are JSON-like
 * @param duration time spent scoring
 */
@API(status = STABLE)
public record Reward(
    double value, Outcome outcome, String reason, String log, Map<String, Object> details, Duration duration) {

  /** Whether the patch was judged. */
  public enum Outcome {
    /** The patch was applied and judged; {@link #value()} is meaningful. */
    SCORED,
    /** The evaluation machinery failed; the value is 0 and must not be learned from. */
    INFRA_FAILURE
  }

  public Reward {
    details = Map.copyOf(details);
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("a reward must be a finite number: " + value);
    }
  }

  /** A judged patch. */
  public static Reward scored(double value, String reason, String log, Duration duration) {
    return new Reward(value, Outcome.SCORED, reason, log, Map.of(), duration);
  }

  /** A patch that could not be judged. */
  public static Reward infraFailure(String reason, String log, Duration duration) {
    return new Reward(0, Outcome.INFRA_FAILURE, reason, log, Map.of(), duration);
  }

  /** Whether the patch was judged. */
  public boolean isScored() {
    return outcome == Outcome.SCORED;
  }

  /** Whether the patch was judged and fully solved the task. */
  public boolean solved() {
    return outcome == Outcome.SCORED && value >= 1.0;
  }
}
