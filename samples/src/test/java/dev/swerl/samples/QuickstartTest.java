package dev.swerl.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QuickstartTest {

  @Test
  void fixesTheBugAndPrintsThePatch() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String patch = Quickstart.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(patch.contains("-add() { echo $(( $1 - $2 )); }") && patch.contains("+add() { echo $(( $1 + $2 )); }"),
        patch);
    assertTrue(out.contains("FAIL\n[exit 1"), "the test must fail before the fix:\n" + out);
    assertTrue(out.contains("PASS\n[exit 0"), "and pass after it:\n" + out);
    assertTrue(out.contains("[timed out: true"), out);
  }
}
