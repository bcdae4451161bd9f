package dev.swerl.api.agent;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.model.Usage;
import java.time.Duration;
import org.apiguardian.api.API;

/**
 * Where the time of one rollout went, and what it cost; trainers and batch reports aggregate these.
 *
 * @param sandboxStartup time to create the sandbox
 * @param modelTime time waiting for the model, summed over turns
 * @param execTime time running actions, summed over turns
 * @param total wall time of the whole run
 * @param steps the number of model calls
 * @param usage tokens and cost, summed over turns
 */
@API(status = STABLE)
public record RolloutMetrics(
    Duration sandboxStartup, Duration modelTime, Duration execTime, Duration total, int steps, Usage usage) {

  public static final RolloutMetrics EMPTY =
      new RolloutMetrics(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0, Usage.ZERO);
}
