package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Map;
import org.apiguardian.api.API;

/**
 * One message of a conversation.
 *
 * @param role who speaks
 * @param content the text
 * @param extra anything else to keep with the message (mini-swe-agent's {@code extra}: raw model
 *     response, return code, timestamps); values are strings, numbers, booleans, lists and maps
 */
@API(status = STABLE)
public record ChatMessage(Role role, String content, Map<String, Object> extra) {

  public ChatMessage {
    extra = Map.copyOf(extra);
  }

  public static ChatMessage system(String content) {
    return new ChatMessage(Role.SYSTEM, content, Map.of());
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content, Map.of());
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(Role.ASSISTANT, content, Map.of());
  }

  /** A copy with {@code extra} replaced. */
  public ChatMessage withExtra(Map<String, Object> value) {
    return new ChatMessage(role, content, value);
  }
}
