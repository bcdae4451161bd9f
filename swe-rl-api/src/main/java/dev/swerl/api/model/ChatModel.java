package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.List;
import org.apiguardian.api.API;

/**
 * A chat model: the policy being trained in process, or any OpenAI-compatible server.
 *
 * <pre>{@code
 * ChatCompletion reply = model.complete(List.of(
 *     ChatMessage.system("You are a helpful assistant that can run bash commands."),
 *     ChatMessage.user("List the files.")));
 * }</pre>
 *
 * <p>Implementations are shared and safe for concurrent use: one model serves every rollout of a batch.
 */
@API(status = STABLE)
public interface ChatModel {

  /** The model's name, as it appears in trajectories and cost accounting. */
  String name();

  /**
   * Completes a conversation.
   *
   * @throws ModelException when the model cannot answer (after whatever retries the implementation makes)
   */
  ChatCompletion complete(ChatRequest request);

  /** Completes a conversation with default sampling and no token data. */
  default ChatCompletion complete(List<ChatMessage> messages) {
    return complete(ChatRequest.of(messages));
  }
}
