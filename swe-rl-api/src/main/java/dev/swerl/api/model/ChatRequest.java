package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.List;
import org.apiguardian.api.API;

/**
 * A conversation to complete and how.
 *
 * @param messages the conversation so far, oldest first; never empty
 * @param sampling sampling parameters
 * @param wantTokens whether to ask for token ids and log-probabilities of the completion (needed for
 *     training; a model that cannot give them returns empty lists)
 */
@API(status = STABLE)
public record ChatRequest(List<ChatMessage> messages, SamplingParams sampling, boolean wantTokens) {

  public ChatRequest {
    messages = List.copyOf(messages);
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a chat request needs at least one message");
    }
  }

  /** The messages with default sampling and no token data. */
  public static ChatRequest of(List<ChatMessage> messages) {
    return new ChatRequest(messages, SamplingParams.DEFAULTS, false);
  }
}
