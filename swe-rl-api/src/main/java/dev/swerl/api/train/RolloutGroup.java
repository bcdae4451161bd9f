package dev.swerl.api.train;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.task.TaskInstance;
import java.util.List;
import org.apiguardian.api.API;

/**
 * Several rollouts of the same task: GRPO compares each rollout's reward with the others of its group.
 *
 * @param task the task every rollout worked on
 * @param rollouts the runs, at least one
 */
@API(status = STABLE)
public record RolloutGroup(TaskInstance task, List<Rollout> rollouts) {

  public RolloutGroup {
    rollouts = List.copyOf(rollouts);
    if (rollouts.isEmpty()) {
      throw new IllegalArgumentException("a rollout group needs at least one rollout: " + task.instanceId());
    }
    for (Rollout rollout : rollouts) {
      if (!rollout.trajectory().instanceId().equals(task.instanceId())) {
        throw new IllegalArgumentException("rollout of " + rollout.trajectory().instanceId()
            + " placed in the group of " + task.instanceId());
      }
    }
  }

  /** The rollouts whose reward was judged, leaving out infrastructure failures. */
  public List<Rollout> scored() {
    return rollouts.stream().filter(r -> r.reward().isScored()).toList();
  }
}
