package dev.swerl.api.agent;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.model.ChatModel;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.task.TaskInstance;
import org.apiguardian.api.API;

/**
 * Drives a model against a sandbox until it solves a task or runs out of budget.
 *
 * <pre>{@code
 * try (Sandbox sandbox = backend.create(spec)) {
 *   Trajectory trajectory = loop.run(task, sandbox, model);
 *   System.out.println(trajectory.exitStatus() + "\n" + trajectory.submission());
 * }
 * }</pre>
 *
 * <p>A run always returns a trajectory: model errors, sandbox failures and limits end it with the
 * matching {@link ExitStatus}, never with an exception. The sandbox stays open; its owner closes it.
 */
@API(status = STABLE)
public interface AgentLoop {

  /** Runs the agent on one task in the given sandbox. */
  Trajectory run(TaskInstance task, Sandbox sandbox, ChatModel model);
}
