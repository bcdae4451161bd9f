package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/** Why a model stopped generating. */
@API(status = STABLE)
public enum FinishReason {
  /** It ended its answer or hit a stop string. */
  STOP,
  /** It ran into the token limit. */
  LENGTH,
  /** The provider filtered the content. */
  CONTENT_FILTER,
  /** It asked for a tool call. */
  TOOL_CALLS,
  /** Anything else the provider reported. */
  OTHER;

  /** Maps OpenAI-compatible {@code finish_reason} strings; unknown or missing ones become {@link #OTHER}. */
  public static FinishReason fromWireName(String name) {
    return switch (name == null ? "" : name) {
      case "stop", "eos", "end_turn" -> STOP;
      case "length", "max_tokens" -> LENGTH;
      case "content_filter" -> CONTENT_FILTER;
      case "tool_calls", "function_call" -> TOOL_CALLS;
      default -> OTHER;
    };
  }
}
