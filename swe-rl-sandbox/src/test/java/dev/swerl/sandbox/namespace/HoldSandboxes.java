package dev.swerl.sandbox.namespace;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM for {@link NamespaceLeakIT}: it opens sandboxes, starts a long {@code sleep} in each, and holds
 * them until it is killed, so that the test can check what the kernel and the reaper do after a crash.
 *
 * <pre>{@code
 * java -cp CLASSPATH dev.swerl.sandbox.namespace.HoldSandboxes /var/tmp/cache 20 [layer-id]
 * }</pre>
 *
 * <p>It prints one sandbox id a line, then {@code held}, and blocks reading standard input. Should its
 * parent die without killing it, standard input ends and it closes its sandboxes and exits, so a crashed
 * test run does not leave it holding sandboxes for ever.
 */
public final class HoldSandboxes {
  /** The line printed once every sandbox is up. */
  static final String HELD = "held";

  private HoldSandboxes() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: HoldSandboxes CACHE_DIR COUNT [LAYER_ID]  (no layer: the host base layer)");
      System.exit(2);
    }
    NamespaceSandboxBackend backend = new NamespaceSandboxBackend(Path.of(args[0]));
    int count = Integer.parseInt(args[1]);
    SandboxSpec.Builder spec = SandboxSpec.builder().shell("sh", "-c");
    if (args.length == 3) {
      spec.layers(List.of(args[2]));
    }
    List<Sandbox> held = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        Sandbox sandbox = backend.create(spec.build());
        held.add(sandbox);
        ExecResult started = sandbox.exec(ExecRequest.shell("sleep 1000 >/dev/null 2>&1 &")
            .toBuilder().timeout(Duration.ofSeconds(30)).build());
        if (started.exitCode() != 0) {
          throw new IllegalStateException("cannot start sleep in " + sandbox.id() + ": " + started.outputText());
        }
        System.out.println(sandbox.id());
      }
      System.out.println(HELD);
      System.out.flush();
      // Blocks until the parent closes our standard input or dies; the test kills us before that.
      System.in.transferTo(OutputStream.nullOutputStream());
    } finally {
      held.forEach(Sandbox::close);
    }
  }
}
