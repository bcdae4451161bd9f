package dev.swerl.api.train;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.agent.Trajectory;
import dev.swerl.api.reward.Reward;
import org.apiguardian.api.API;

/** One agent run and its score. */
@API(status = STABLE)
public record Rollout(Trajectory trajectory, Reward reward) {}
