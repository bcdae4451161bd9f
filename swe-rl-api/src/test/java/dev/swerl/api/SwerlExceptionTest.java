package dev.swerl.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.api.task.TaskException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SwerlExceptionTest {

  @Test
  void contextIsPartOfTheMessageInOrder() {
    IOException cause = new IOException("disk full");
    SandboxException e = SandboxException.of("ns-1", "cannot copy", cause).with("path", "/testbed/a b");
    assertEquals("cannot copy [sandbox=ns-1, path=/testbed/a b]", e.getMessage());
    assertEquals("ns-1", e.sandboxId());
    assertSame(cause, e.getCause());
  }

  @Test
  void taskExceptionsNameTheInstance() {
    TaskException e = TaskException.of("django__django-11099", "no image", null);
    assertEquals("django__django-11099", e.instanceId());
    assertEquals("no image [instance=django__django-11099]", e.getMessage());
  }

  @Test
  void noContextMeansThePlainMessage() {
    assertEquals("plain", new SwerlException("plain").getMessage());
  }
}
