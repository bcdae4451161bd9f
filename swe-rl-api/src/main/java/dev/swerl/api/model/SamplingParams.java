package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.List;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * How to sample a completion. A {@code null} field means "the model's default".
 *
 * <pre>{@code
 * SamplingParams params = SamplingParams.DEFAULTS.withTemperature(1.0).withMaxTokens(2048);
 * }</pre>
 *
 * @param temperature softmax temperature; 0 for greedy
 * @param topP nucleus sampling mass
 * @param topK the number of most likely tokens to sample among
 * @param maxTokens the most tokens to generate
 * @param stop strings that end generation
 * @param seed random seed, for reproducible sampling where the model supports it
 */
@API(status = STABLE)
public record SamplingParams(
    @Nullable Double temperature,
    @Nullable Double topP,
    @Nullable Integer topK,
    @Nullable Integer maxTokens,
    List<String> stop,
    @Nullable Long seed) {

  /** Every parameter left to the model. */
  public static final SamplingParams DEFAULTS = new SamplingParams(null, null, null, null, List.of(), null);

  public SamplingParams {
    stop = List.copyOf(stop);
    if (temperature != null && (temperature < 0 || temperature.isNaN())) {
      throw new IllegalArgumentException("temperature must be >= 0: " + temperature);
    }
    if (topP != null && !(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in (0, 1]: " + topP);
    }
    if (topK != null && topK < 1) {
      throw new IllegalArgumentException("topK must be >= 1: " + topK);
    }
    if (maxTokens != null && maxTokens < 1) {
      throw new IllegalArgumentException("maxTokens must be >= 1: " + maxTokens);
    }
  }

  public SamplingParams withTemperature(@Nullable Double value) {
    return new SamplingParams(value, topP, topK, maxTokens, stop, seed);
  }

  public SamplingParams withTopP(@Nullable Double value) {
    return new SamplingParams(temperature, value, topK, maxTokens, stop, seed);
  }

  public SamplingParams withTopK(@Nullable Integer value) {
    return new SamplingParams(temperature, topP, value, maxTokens, stop, seed);
  }

  public SamplingParams withMaxTokens(@Nullable Integer value) {
    return new SamplingParams(temperature, topP, topK, value, stop, seed);
  }

  public SamplingParams withStop(List<String> value) {
    return new SamplingParams(temperature, topP, topK, maxTokens, value, seed);
  }

  public SamplingParams withSeed(@Nullable Long value) {
    return new SamplingParams(temperature, topP, topK, maxTokens, stop, value);
  }
}
