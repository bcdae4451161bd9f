package dev.swerl.sandbox.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.api.sandbox.SandboxCapability;
import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.ForwardingSandbox;
import dev.swerl.sandbox.local.LocalSandboxBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The kit catches backends that break its rules: each deliberately broken backend below breaks one
 * rule and must fail exactly the contract tests that check that rule, and pass the rest.
 */
class SandboxContractSelfTest {

  /** Sandboxes the leaky backend "closed" without cleaning up, cleaned here for real. */
  private static final ConcurrentLinkedQueue<Sandbox> REALLY_CLOSE_LATER = new ConcurrentLinkedQueue<>();

  @AfterAll
  static void cleanUpLeaks() {
    REALLY_CLOSE_LATER.forEach(Sandbox::close);
  }

  @Test
  void silentTruncationIsCaught() {
    assertFailures(SilentlyTruncating.class, "outputCap");
  }

  @Test
  void timeoutThatKillsOnlyTheDirectChildIsCaught() {
    assertFailures(KillsOnlyDirectChild.class, "timeoutKillsTree");
  }

  @Test
  void leakyCloseIsCaught() {
    assertFailures(LeaksOnClose.class, "closeLeavesNothingBehind");
  }

  @Test
  void pathTraversalIsCaught() {
    assertFailures(AllowsTraversal.class, "pathTraversalRefused");
  }

  @Test
  void nonIdempotentCloseIsCaught() {
    // The second close throws; every test that closes before the kit's own cleanup sees it.
    assertFailures(ThrowsOnSecondClose.class, "closeIsIdempotent", "useAfterCloseRefused", "closeLeavesNothingBehind");
  }

  @Test
  void falseIsolationClaimIsCaught() {
    assertFailures(ClaimsIsolationItLacks.class, "filesystemIsolation", "processIsolation", "networkIsolation");
  }

  @Test
  void honestBackendPassesAndSkipsOnlyIsolation() {
    EngineExecutionResults results = run(Honest.class);
    assertEquals(Set.of(), names(results.testEvents().failed().list()));
    assertEquals(Set.of("filesystemIsolation", "processIsolation", "networkIsolation"),
        names(results.testEvents().aborted().list()), "skipped (aborted by assumption) only where no capability is claimed");
    assertTrue(results.testEvents().succeeded().count() >= 18, "the kit must actually run its cases");
  }

  private static void assertFailures(Class<? extends SandboxContract> contract, String... expected) {
    EngineExecutionResults results = run(contract);
    assertEquals(new TreeSet<>(List.of(expected)), names(results.testEvents().failed().list()),
        contract.getSimpleName() + " must fail exactly the rules it breaks");
    assertTrue(results.testEvents().succeeded().count() > 10, "the other rules must still pass");
  }

  private static EngineExecutionResults run(Class<? extends SandboxContract> contract) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(contract)).execute();
  }

  private static Set<String> names(List<Event> events) {
    Set<String> names = new TreeSet<>();
    for (Event event : events) {
      if (event.getTestDescriptor().getSource().orElse(null) instanceof MethodSource source) {
        names.add(source.getMethodName());
      }
    }
    return names;
  }

  // ---- the backends under test: each wraps the local backend and breaks one rule ----

  abstract static class WrappingContract extends SandboxContract {
    abstract Sandbox wrap(Sandbox real);

    Set<SandboxCapability> capabilities() {
      return Set.of();
    }

    @Override
    protected SandboxBackend backend() {
      LocalSandboxBackend local = new LocalSandboxBackend();
      return new SandboxBackend() {
        @Override
        public String name() {
          return "broken";
        }

        @Override
        public int priority() {
          return -1;
        }

        @Override
        public dev.swerl.api.sandbox.Availability availability() {
          return local.availability();
        }

        @Override
        public Set<SandboxCapability> capabilities() {
          return WrappingContract.this.capabilities();
        }

        @Override
        public Sandbox create(SandboxSpec spec) {
          Sandbox real = local.create(spec);
          return new ForwardingSandbox(wrap(real)) {
            @Override
            public String backendName() {
              return "broken";
            }
          };
        }
      };
    }
  }

  static class Honest extends WrappingContract {
    @Override
    Sandbox wrap(Sandbox real) {
      return real;
    }
  }

  static class SilentlyTruncating extends WrappingContract {
    @Override
    Sandbox wrap(Sandbox real) {
      return new ForwardingSandbox(real) {
        @Override
        public ExecResult exec(ExecRequest request) {
          ExecResult r = super.exec(request);
          return ExecResult.of(r.exitCode(), r.stdout(), r.stderr(), r.timedOut(), r.wallTime());
        }
      };
    }
  }

  /**
   * The classic bug: on timeout, kill only the direct child. GNU {@code timeout --foreground} does exactly
   * that, so the command runs under it with a longer outer timeout as a safety net.
   */
  static class KillsOnlyDirectChild extends WrappingContract {
    @Override
    Sandbox wrap(Sandbox real) {
      return new ForwardingSandbox(real) {
        @Override
        public ExecResult exec(ExecRequest request) {
          if (!(request.command() instanceof ExecRequest.Command.Shell shell)) {
            return super.exec(request);
          }
          double seconds = request.timeout().toMillis() / 1000.0;
          String script = "timeout --foreground -s KILL " + seconds + " sh -c '" + shell.script().replace("'", "'\\''") + "'";
          ExecResult r = super.exec(request.toBuilder()
              .command(new ExecRequest.Command.Shell(script))
              .timeout(request.timeout().plusSeconds(30))
              .build());
          boolean timedOut = r.exitCode() == 137 && r.wallTime().compareTo(request.timeout()) >= 0;
          return new ExecResult(r.exitCode(), r.stdout(), r.stderr(), r.stdoutBytes(), r.stderrBytes(), timedOut,
              r.wallTime());
        }
      };
    }
  }

  static class LeaksOnClose extends WrappingContract {
    @Override
    Sandbox wrap(Sandbox real) {
      REALLY_CLOSE_LATER.add(real);
      return new ForwardingSandbox(real) {
        private volatile boolean closed;

        @Override
        public ExecResult exec(ExecRequest request) {
          if (closed) {
            throw new IllegalStateException("closed");
          }
          return super.exec(request);
        }

        @Override
        public byte[] readFile(String path) {
          if (closed) {
            throw new IllegalStateException("closed");
          }
          return super.readFile(path);
        }

        @Override
        public void writeFile(String path, byte[] content) {
          if (closed) {
            throw new IllegalStateException("closed");
          }
          super.writeFile(path, content);
        }

        @Override
        public void copyIn(Path hostSource, String sandboxPath) {
          if (closed) {
            throw new IllegalStateException("closed");
          }
          super.copyIn(hostSource, sandboxPath);
        }

        @Override
        public void copyOut(String sandboxPath, Path hostTarget) {
          if (closed) {
            throw new IllegalStateException("closed");
          }
          super.copyOut(sandboxPath, hostTarget);
        }

        @Override
        public boolean isClosed() {
          return closed;
        }

        @Override
        public void close() {
          closed = true; // and nothing else: processes and files stay
        }
      };
    }
  }

  /** Reads and writes files through shell commands, without the path rule. */
  static class AllowsTraversal extends WrappingContract {
    @Override
    Sandbox wrap(Sandbox real) {
      return new ForwardingSandbox(real) {
        @Override
        public byte[] readFile(String path) {
          ExecResult cat = super.exec(ExecRequest.argv("cat", "--", path));
          if (cat.exitCode() != 0) {
            throw new SandboxException("cannot read " + path + ": " + cat.stderrText());
          }
          return cat.stdout();
        }
      };
    }
  }

  static class ThrowsOnSecondClose extends WrappingContract {
    @Override
    Sandbox wrap(Sandbox real) {
      return new ForwardingSandbox(real) {
        @Override
        public void close() {
          if (isClosed()) {
            throw new IllegalStateException("already closed");
          }
          super.close();
        }
      };
    }
  }

  static class ClaimsIsolationItLacks extends WrappingContract {
    @Override
    Set<SandboxCapability> capabilities() {
      return Set.of(SandboxCapability.FILESYSTEM_ISOLATION, SandboxCapability.PROCESS_ISOLATION,
          SandboxCapability.NETWORK_ISOLATION);
    }

    @Override
    Sandbox wrap(Sandbox real) {
      return real;
    }
  }
}
