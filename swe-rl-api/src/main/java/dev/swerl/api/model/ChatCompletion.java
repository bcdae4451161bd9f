package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.List;
import org.apiguardian.api.API;

/**
 * A model's reply to a {@link ChatRequest}.
 *
 * <p>For training, {@link #promptTokenIds()}, {@link #completionTokenIds()} and {@link #logprobs()} give
 * the exact tokens the policy saw and produced and the log-probability it assigned to each generated
 * token. They are empty when the model does not report them; when present, {@code logprobs} has one
 * entry per completion token.
 *
 * @param text the generated text
 * @param finishReason why generation stopped
 * @param usage tokens and cost of this call
 * @param model the model name the server reported
 * @param promptTokenIds token ids of the rendered prompt, or empty
 * @param completionTokenIds token ids of the completion, or empty
 * @param logprobs log-probability of each completion token under the sampling policy, or empty
 */
@API(status = STABLE)
public record ChatCompletion(
    String text,
    FinishReason finishReason,
    Usage usage,
    String model,
    List<Integer> promptTokenIds,
    List<Integer> completionTokenIds,
    List<Double> logprobs) {

  public ChatCompletion {
    promptTokenIds = List.copyOf(promptTokenIds);
    completionTokenIds = List.copyOf(completionTokenIds);
    logprobs = List.copyOf(logprobs);
    if (!logprobs.isEmpty() && logprobs.size() != completionTokenIds.size()) {
      throw new IllegalArgumentException("logprobs must have one entry per completion token: " + logprobs.size()
          + " logprobs for " + completionTokenIds.size() + " tokens");
    }
  }

  /** A completion with text only, as from a model that reports no token data. */
  public static ChatCompletion ofText(String text, FinishReason finishReason, Usage usage, String model) {
    return new ChatCompletion(text, finishReason, usage, model, List.of(), List.of(), List.of());
  }

  /** Whether token ids and log-probabilities are present. */
  public boolean hasTokens() {
    return !completionTokenIds.isEmpty() && logprobs.size() == completionTokenIds.size();
  }
}
