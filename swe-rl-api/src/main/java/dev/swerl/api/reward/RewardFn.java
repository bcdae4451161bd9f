package dev.swerl.api.reward;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.task.TaskInstance;
import org.apiguardian.api.API;

/**
 * Scores a patch for a task, usually by applying it in a fresh sandbox and running tests.
 *
 * <pre>{@code
 * Reward reward = rewardFn.score(task, trajectory.submission());
 * if (reward.isScored()) { learnFrom(trajectory, reward.value()); }
 * }</pre>
 *
 * <p>Implementations never throw for a bad patch or a failing environment: they return a
 * {@link Reward} whose outcome says which it was. They are safe for concurrent use.
 */
@API(status = STABLE)
@FunctionalInterface
public interface RewardFn {

  /** Scores {@code patch} (a unified diff, possibly empty) against {@code task}. */
  Reward score(TaskInstance task, String patch);
}
