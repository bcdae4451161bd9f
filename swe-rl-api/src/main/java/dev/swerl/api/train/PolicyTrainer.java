package dev.swerl.api.train;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.List;
import org.apiguardian.api.API;

/**
 * Updates a policy from scored rollouts (GRPO), or from golden trajectories (SFT).
 *
 * <pre>{@code
 * try (PolicyTrainer trainer = ...) {
 *   TrainStepResult result = trainer.step(groups);
 *   System.out.println(result.metrics().get("loss"));
 * }
 * }</pre>
 *
 * <p>A trainer holds native memory and model weights, so it is {@link AutoCloseable}; close is idempotent.
 */
@API(status = STABLE)
public interface PolicyTrainer extends AutoCloseable {

  /**
   * Runs one optimiser step on the groups.
   *
   * @throws TrainerException when the step fails; the step is not counted
   */
  TrainStepResult step(List<RolloutGroup> groups);

  /** The number of steps taken so far (restored checkpoints included). */
  long steps();

  @Override
  void close();
}
