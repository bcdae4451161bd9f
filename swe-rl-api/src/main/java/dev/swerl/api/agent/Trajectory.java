package dev.swerl.api.agent;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.model.ChatMessage;
import java.util.List;
import org.apiguardian.api.API;

/**
 * The full record of one agent run on one task: the conversation, each turn's action and result, how the
 * run ended, the patch it submitted and where the time went. It is what a reward function scores and a
 * trainer learns from, and what mini-swe-agent writes as {@code traj.json}.
 *
 * @param instanceId the task instance the agent worked on
 * @param messages the whole conversation, as the model saw it
 * @param steps each turn, in order
 * @param exitStatus how the run ended
 * @param submission the submitted patch (or the sandbox's diff); empty when there is none
 * @param error the error text when the run ended on an error, else empty
 * @param metrics timing and cost
 */
@API(status = STABLE)
public record Trajectory(
    String instanceId,
    List<ChatMessage> messages,
    List<Step> steps,
    ExitStatus exitStatus,
    String submission,
    String error,
    RolloutMetrics metrics) {

  public Trajectory {
    messages = List.copyOf(messages);
    steps = List.copyOf(steps);
  }

  /** Whether the agent submitted a non-empty patch. */
  public boolean hasSubmission() {
    return exitStatus == ExitStatus.SUBMITTED && !submission.isBlank();
  }
}
