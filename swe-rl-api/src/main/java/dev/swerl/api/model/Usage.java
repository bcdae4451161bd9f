package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * Tokens spent on one call (or summed over many), and what they cost.
 *
 * @param promptTokens tokens read
 * @param completionTokens tokens generated
 * @param cost money spent in the provider's currency (US dollars for OpenAI-style price tables); 0 when unknown
 */
@API(status = STABLE)
public record Usage(long promptTokens, long completionTokens, double cost) {

  public static final Usage ZERO = new Usage(0, 0, 0);

  public Usage {
    if (promptTokens < 0 || completionTokens < 0 || cost < 0 || Double.isNaN(cost)) {
      throw new IllegalArgumentException("usage cannot be negative: " + promptTokens + ", " + completionTokens + ", " + cost);
    }
  }

  public long totalTokens() {
    return promptTokens + completionTokens;
  }

  /** The sum of two usages. */
  public Usage plus(Usage other) {
    return new Usage(promptTokens + other.promptTokens, completionTokens + other.completionTokens, cost + other.cost);
  }
}
