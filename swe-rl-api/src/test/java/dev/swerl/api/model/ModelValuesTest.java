package dev.swerl.api.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelValuesTest {

  @Test
  void usageAddsUpComponentwise() {
    qt().forAll(longs().between(0, 1L << 40), longs().between(0, 1L << 40), longs().between(0, 1L << 40),
            longs().between(0, 1L << 40))
        .checkAssert((p1, c1, p2, c2) -> {
          Usage sum = new Usage(p1, c1, 0.5).plus(new Usage(p2, c2, 0.25));
          assertEquals(p1 + p2, sum.promptTokens());
          assertEquals(c1 + c2, sum.completionTokens());
          assertEquals(p1 + p2 + c1 + c2, sum.totalTokens());
          assertEquals(0.75, sum.cost());
        });
  }

  @Test
  void logprobsMustMatchTokens() {
    assertThrows(IllegalArgumentException.class, () -> new ChatCompletion("x", FinishReason.STOP, Usage.ZERO, "m",
        List.of(), List.of(1, 2), List.of(-0.1)));
    ChatCompletion withTokens = new ChatCompletion("x", FinishReason.STOP, Usage.ZERO, "m", List.of(5), List.of(1, 2),
        List.of(-0.1, -0.2));
    assertTrue(withTokens.hasTokens());
    assertFalse(ChatCompletion.ofText("x", FinishReason.STOP, Usage.ZERO, "m").hasTokens());
  }

  @Test
  void wireNamesMapBothWays() {
    for (Role role : Role.values()) {
      assertEquals(role, Role.fromWireName(role.wireName()));
    }
    assertEquals(FinishReason.LENGTH, FinishReason.fromWireName("length"));
    assertEquals(FinishReason.OTHER, FinishReason.fromWireName("weird"));
    assertThrows(IllegalArgumentException.class, () -> Role.fromWireName("robot"));
  }

  @Test
  void samplingParamsRefuseNonsense() {
    assertThrows(IllegalArgumentException.class, () -> SamplingParams.DEFAULTS.withTemperature(-1.0));
    assertThrows(IllegalArgumentException.class, () -> SamplingParams.DEFAULTS.withTopP(0.0));
    assertEquals(0.7, SamplingParams.DEFAULTS.withTemperature(0.7).temperature());
  }
}
