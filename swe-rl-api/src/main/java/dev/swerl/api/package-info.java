/**
 * The contracts of swe-rl: small interfaces and immutable values that every other module implements
 * or consumes, and nothing that starts a process or loads a native library.
 *
 * <p>The flow of one training step touches each subpackage in turn: a {@link dev.swerl.api.task.TaskSource}
 * yields {@link dev.swerl.api.task.TaskInstance}s, a {@link dev.swerl.api.sandbox.SandboxBackend} makes a
 * {@link dev.swerl.api.sandbox.Sandbox} for each, an {@link dev.swerl.api.agent.AgentLoop} drives a
 * {@link dev.swerl.api.model.ChatModel} against it and returns a {@link dev.swerl.api.agent.Trajectory},
 * a {@link dev.swerl.api.reward.RewardFn} scores the patch, and a {@link dev.swerl.api.train.PolicyTrainer}
 * learns from {@link dev.swerl.api.train.RolloutGroup}s.
 */
@NullMarked
package dev.swerl.api;

import org.jspecify.annotations.NullMarked;
