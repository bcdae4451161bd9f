package dev.swerl.sandbox.process;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BoundedOutputTest {

  /** An input that hands out data in reads of random, small sizes, as a pipe does. */
  private static InputStream choppy(byte[] data, long seed) {
    Random random = new Random(seed);
    return new ByteArrayInputStream(data) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1 + random.nextInt(70_000)));
      }
    };
  }

  @Test
  void keepsAPrefixUpToTheLimitAndCountsEverything() {
    qt().withExamples(200).forAll(integers().between(0, 300_000), integers().between(0, 200_000), integers().all())
        .checkAssert((size, limit, seed) -> {
          byte[] data = new byte[size];
          new Random(seed).nextBytes(data);
          BoundedOutput output = new BoundedOutput(choppy(data, seed), limit);
          output.run();
          BoundedOutput.Captured captured = output.freeze();
          assertEquals((long) size, captured.total());
          assertArrayEquals(Arrays.copyOf(data, Math.min(size, limit)), captured.bytes());
        });
  }

  @Test
  void freezingStopsCountingButNotDraining() throws Exception {
    byte[] data = new byte[1 << 20];
    BoundedOutput output = new BoundedOutput(new ByteArrayInputStream(data), 10);
    BoundedOutput.Captured early = output.freeze();
    output.run();
    assertTrue(output.awaitEnd(0), "the stream is read to its end after freezing");
    assertEquals(0, early.total());
    assertEquals(0, output.freeze().total(), "bytes after the freeze are dropped uncounted");
  }
}
