package dev.swerl.api.train;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Map;
import org.apiguardian.api.API;

/**
 * What one optimiser step did.
 *
 * @param step the step number after this update, starting at 1
 * @param metrics named scalar metrics: loss, mean reward, KL, clip fraction, gradient norm and the like
 */
@API(status = STABLE)
public record TrainStepResult(long step, Map<String, Double> metrics) {

  public TrainStepResult {
    metrics = Map.copyOf(metrics);
  }
}
