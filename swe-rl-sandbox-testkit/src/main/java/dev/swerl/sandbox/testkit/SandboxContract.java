package dev.swerl.sandbox.testkit;

import static org.apiguardian.api.API.Status.STABLE;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxBackend;
import dev.swerl.api.sandbox.SandboxCapability;
import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.api.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apiguardian.api.API;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules every {@link Sandbox} keeps, as JUnit 5 tests. A backend proves itself by extending this
 * class and saying how to make its sandboxes:
 *
 * <pre>{@code
 * class MyBackendContractTest extends SandboxContract {
 *   @Override protected SandboxBackend backend() { return new MyBackend(); }
 * }
 * }</pre>
 *
 * <p>Isolation cases run only for the {@linkplain SandboxBackend#capabilities() capabilities} the
 * backend claims; the others are reported as skipped, with the reason. The scripts the kit runs are
 * POSIX {@code sh}, so images with busybox pass too (set {@code shell("sh", "-c")} in {@link #spec()}).
 *
 * <p>Override {@link #leftoversAfterClose(Sandbox)} to add the backend's own checks (directories,
 * mounts, containers) to {@link #closeLeavesNothingBehind()}.
 */
@API(status = STABLE)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
public abstract class SandboxContract {
  /** The timeout used for commands that must be killed. */
  protected static final Duration SHORT_TIMEOUT = Duration.ofSeconds(2);

  private final List<Sandbox> opened = new ArrayList<>();

  /** The backend under test. Called once per test; may return a shared instance. */
  protected abstract SandboxBackend backend();

  /** The spec sandboxes are made from; override to set an image, layers or the shell. */
  protected SandboxSpec.Builder spec() {
    return SandboxSpec.builder();
  }

  /**
   * What a closed sandbox left behind (directories, mounts, containers), described for the failure
   * message; empty when nothing. Called after {@link Sandbox#close()}.
   */
  protected List<String> leftoversAfterClose(Sandbox closed) {
    return List.of();
  }

  /**
   * Whether the sandbox's processes show up in this host's {@code /proc} (true for local kernels: the
   * local, namespace, and local Docker/Podman backends); the kit then checks the host for leftovers.
   */
  protected boolean processesVisibleOnHost() {
    return true;
  }

  /** Creates a sandbox that is closed after the test, whatever happens. */
  protected final Sandbox open() {
    return open(spec().build());
  }

  /** Creates a sandbox from {@code spec} that is closed after the test, whatever happens. */
  protected final Sandbox open(SandboxSpec spec) {
    Sandbox sandbox = backend().create(spec);
    opened.add(sandbox);
    return sandbox;
  }

  @AfterEach
  void closeOpened() {
    for (Sandbox sandbox : opened) {
      sandbox.close();
    }
    opened.clear();
  }

  // ---- commands ----

  @Test
  @DisplayName("a new sandbox reports its identity and spec")
  void identity() {
    SandboxSpec spec = spec().label("swerl.test", "identity").build();
    Sandbox one = open(spec);
    Sandbox two = open(spec);
    assertAll(
        () -> assertFalse(one.id().isBlank(), "id must not be blank"),
        () -> assertNotEquals(one.id(), two.id(), "two live sandboxes need different ids"),
        () -> assertEquals(backend().name(), one.backendName()),
        () -> assertEquals(spec, one.spec()),
        () -> assertTrue(one.workingDirectory().startsWith("/"), "working directory must be absolute"),
        () -> assertFalse(one.isClosed()));
  }

  @Test
  @DisplayName("exit codes come back as the command set them")
  void exitCodes() {
    Sandbox sandbox = open();
    assertAll(
        () -> assertEquals(0, sandbox.exec("true").exitCode()),
        () -> assertEquals(1, sandbox.exec("false").exitCode()),
        () -> assertEquals(42, sandbox.exec("exit 42").exitCode()),
        () -> assertEquals(255, sandbox.exec("exit 255").exitCode()),
        () -> assertEquals(127, sandbox.exec("swerl-no-such-program-anywhere").exitCode()),
        () -> assertEquals(137, sandbox.exec("kill -9 $$").exitCode(), "killed by SIGKILL must read 128+9"),
        () -> assertTrue(sandbox.exec("true").succeeded()),
        () -> assertFalse(sandbox.exec("exit 3").succeeded()));
  }

  @Test
  @DisplayName("argv commands are not interpreted by a shell")
  void argvIsLiteral() {
    Sandbox sandbox = open();
    String text = "$HOME; echo injected `id` 'quoted' \"double\" * ?";
    ExecResult result = sandbox.exec(ExecRequest.argv("printf", "%s", text));
    assertEquals(0, result.exitCode(), result::stderrText);
    assertEquals(text, result.stdoutText());
  }

  @Test
  @DisplayName("environment comes from the spec, and the request overrides it")
  void environment() {
    Sandbox sandbox = open(spec().env("SWERL_A", "from spec").env("SWERL_B", "spec b").build());
    ExecResult result = sandbox.exec(ExecRequest.shell("printf '%s|%s|%s' \"$SWERL_A\" \"$SWERL_B\" \"$SWERL_C\"")
        .toBuilder().env("SWERL_B", "request b").env("SWERL_C", "request c=with=equals").build());
    assertEquals("from spec|request b|request c=with=equals", result.stdoutText());
  }

  @Test
  @DisplayName("commands run in the working directory, or in the one the request names")
  void workingDirectory() {
    Sandbox sandbox = open();
    assertEquals(sandbox.workingDirectory(), sandbox.exec("pwd").stdoutText().trim());
    assertEquals(0, sandbox.exec("mkdir -p 'sub dir/deeper'").exitCode());
    ExecResult relative = sandbox.exec(ExecRequest.shell("pwd").toBuilder().workingDirectory("sub dir/deeper").build());
    assertEquals(sandbox.workingDirectory() + "/sub dir/deeper", relative.stdoutText().trim());
    ExecResult absolute = sandbox.exec(ExecRequest.shell("pwd").toBuilder()
        .workingDirectory(sandbox.workingDirectory() + "/sub dir").build());
    assertEquals(sandbox.workingDirectory() + "/sub dir", absolute.stdoutText().trim());
  }

  @Test
  @DisplayName("a spec's working directory is created and used")
  void specWorkingDirectory() {
    Sandbox sandbox = open(spec().workingDirectory("/swerl-contract/testbed").build());
    assertTrue(sandbox.workingDirectory().endsWith("/swerl-contract/testbed"), sandbox.workingDirectory());
    assertEquals(sandbox.workingDirectory(), sandbox.exec("pwd").stdoutText().trim());
  }

  @Test
  @DisplayName("standard input is delivered whole, and without it commands see end of input")
  void stdin() {
    Sandbox sandbox = open();
    byte[] input = randomBytes(3 << 20, 7);
    ExecResult echoed = sandbox.exec(ExecRequest.shell("cat").toBuilder().stdin(input).build());
    assertEquals(0, echoed.exitCode(), echoed::stderrText);
    assertArrayEquals(input, echoed.stdout(), "3 MiB of binary stdin must come back byte for byte");

    ExecResult empty = sandbox.exec(ExecRequest.shell("cat; echo end").toBuilder().timeout(Duration.ofSeconds(30)).build());
    assertFalse(empty.timedOut(), "a command with no stdin must see end of input, not wait for it");
    assertEquals("end\n", empty.stdoutText());
  }

  @Test
  @DisplayName("stdout and stderr are separate, or merged in order when asked")
  void outputStreams() {
    Sandbox sandbox = open();
    String script = "echo one; echo two >&2; echo three";
    ExecResult separate = sandbox.exec(script);
    assertEquals("one\nthree\n", separate.stdoutText());
    assertEquals("two\n", separate.stderrText());
    ExecResult merged = sandbox.exec(ExecRequest.shell(script).toBuilder().mergeStderr(true).build());
    assertEquals("one\ntwo\nthree\n", merged.stdoutText());
    assertEquals(0, merged.stderr().length);
  }

  @Test
  @DisplayName("binary output comes back byte for byte and decodes leniently")
  void binaryOutput() {
    Sandbox sandbox = open();
    StringBuilder format = new StringBuilder();
    byte[] expected = new byte[256];
    for (int b = 0; b < 256; b++) {
      format.append(String.format("\\%03o", b));
      expected[b] = (byte) b;
    }
    ExecResult result = sandbox.exec("printf '" + format + "'");
    assertArrayEquals(expected, result.stdout());
    assertTrue(result.stdoutText().contains("\uFFFD"), "malformed UTF-8 must decode to U+FFFD, not throw");
  }

  @Test
  @DisplayName("output beyond the cap is dropped, counted and flagged, and the command is not stalled")
  void outputCap() {
    Sandbox sandbox = open();
    int cap = 1 << 20;
    ExecResult result = sandbox.exec(ExecRequest.shell("head -c 50000000 /dev/zero; head -c 3000000 /dev/zero >&2; echo done >&2")
        .toBuilder().outputLimitBytes(cap).timeout(Duration.ofSeconds(60)).build());
    assertAll(
        () -> assertFalse(result.timedOut(), "a capped command must be drained, not blocked on a full pipe"),
        () -> assertEquals(0, result.exitCode()),
        () -> assertEquals(cap, result.stdout().length),
        () -> assertEquals(50_000_000L, result.stdoutBytes()),
        () -> assertTrue(result.stdoutTruncated()),
        () -> assertEquals(cap, result.stderr().length),
        () -> assertEquals(3_000_005L, result.stderrBytes()),
        () -> assertTrue(result.truncated()));

    ExecResult whole = sandbox.exec(ExecRequest.shell("head -c 5000 /dev/zero").toBuilder().outputLimitBytes(5000).build());
    assertFalse(whole.truncated(), "output exactly at the cap is whole");
    assertEquals(5000, whole.stdout().length);
  }

  @Test
  @DisplayName("large output under the cap is kept whole")
  void largeOutput() {
    Sandbox sandbox = open();
    byte[] content = randomBytes(5 << 20, 11);
    sandbox.writeFile("large.bin", content);
    ExecResult result = sandbox.exec("cat large.bin");
    assertFalse(result.truncated());
    assertArrayEquals(content, result.stdout());
  }

  @Test
  @DisplayName("a timeout kills the command and its background children, keeping partial output")
  void timeoutKillsTree() {
    Sandbox sandbox = open();
    String marker = marker();
    ExecResult result = sandbox.exec(ExecRequest.shell(
            "sh -c 'sleep 1000; true' " + marker + " & echo started; sleep 1000")
        .toBuilder().timeout(SHORT_TIMEOUT).build());
    assertAll(
        () -> assertTrue(result.timedOut(), "the command must be reported as timed out"),
        () -> assertFalse(result.succeeded()),
        () -> assertEquals("started\n", result.stdoutText(), "output before the timeout must be kept"),
        () -> assertTrue(result.wallTime().compareTo(Duration.ofSeconds(60)) < 0,
            "the command must end near its timeout, took " + result.wallTime()));
    assertEquals("", processesInside(sandbox, marker), "the background child must die with its command");
    if (processesVisibleOnHost()) {
      assertEquals(List.of(), HostProcesses.withCommandLineContaining(marker));
    }
    assertEquals("still usable\n", sandbox.exec("echo still usable").stdoutText(), "a timeout must not break the sandbox");
  }

  @Test
  @DisplayName("a command that leaves a detached background process returns when it exits")
  void detachedBackgroundProcess() {
    Sandbox sandbox = open();
    String marker = marker();
    ExecResult result = sandbox.exec(ExecRequest.shell(
            "nohup sh -c 'sleep 1000; true' " + marker + " >/dev/null 2>&1 & echo launched")
        .toBuilder().timeout(Duration.ofSeconds(60)).build());
    assertFalse(result.timedOut(), "the command exited; its detached child must not hold it");
    assertEquals("launched\n", result.stdoutText());
    assertFalse(processesInside(sandbox, marker).isEmpty(), "the detached process runs on until the sandbox closes");
  }

  @Test
  @DisplayName("two commands can run at the same time in one sandbox")
  void concurrentCommands() throws Exception {
    Sandbox sandbox = open();
    // Each waits for a file the other writes: both succeed only if they run concurrently.
    ExecRequest first = ExecRequest.shell("touch a.flag; i=0; while [ ! -e b.flag ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; test -e b.flag")
        .toBuilder().timeout(Duration.ofSeconds(60)).build();
    ExecRequest second = ExecRequest.shell("touch b.flag; i=0; while [ ! -e a.flag ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; test -e a.flag")
        .toBuilder().timeout(Duration.ofSeconds(60)).build();
    try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
      CompletableFuture<ExecResult> a = CompletableFuture.supplyAsync(() -> sandbox.exec(first), pool);
      CompletableFuture<ExecResult> b = CompletableFuture.supplyAsync(() -> sandbox.exec(second), pool);
      assertEquals(0, a.get(90, TimeUnit.SECONDS).exitCode());
      assertEquals(0, b.get(90, TimeUnit.SECONDS).exitCode());
    }
  }

  // ---- files ----

  @Test
  @DisplayName("files round-trip byte for byte, through paths with spaces")
  void fileRoundTrip() {
    Sandbox sandbox = open();
    byte[] content = randomBytes(100_000, 3);
    String path = "dir with spaces/sub dir/file name.bin";
    sandbox.writeFile(path, content);
    assertArrayEquals(content, sandbox.readFile(path));
    assertArrayEquals(content, sandbox.exec("cat 'dir with spaces/sub dir/file name.bin'").stdout(),
        "commands must see the file that was written");
    sandbox.writeFile(path, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, sandbox.readFile(path), "writing replaces the whole file");
    sandbox.writeFile(path, new byte[0]);
    assertArrayEquals(new byte[0], sandbox.readFile(path));

    String text = "héllo ✓ — naïve\n";
    sandbox.writeString(sandbox.workingDirectory() + "/absolute.txt", text);
    assertEquals(text, sandbox.readString("absolute.txt"), "absolute and relative paths name the same file");

    assertEquals(0, sandbox.exec("printf made-by-command > from-command.txt").exitCode());
    assertEquals("made-by-command", sandbox.readString("from-command.txt"));
  }

  @Test
  @DisplayName("reading a missing file fails with the path in the message")
  void readMissing() {
    Sandbox sandbox = open();
    SandboxException e = assertThrows(SandboxException.class, () -> sandbox.readFile("no/such file.txt"));
    assertTrue(e.getMessage().contains("no/such file.txt"), e.getMessage());
  }

  @Test
  @DisplayName("copyIn brings a host tree in with modes kept, merging into what is there")
  void copyIn(@TempDir Path host) throws IOException {
    Path tree = host.resolve("tree");
    Files.createDirectories(tree.resolve("nested dir/deeper"));
    Files.writeString(tree.resolve("nested dir/deeper/data file.txt"), "data");
    Path script = tree.resolve("run me.sh");
    Files.writeString(script, "#!/bin/sh\necho ran\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Sandbox sandbox = open();
    sandbox.writeString("target/existing.txt", "kept");

    sandbox.copyIn(tree, "target");
    assertEquals("data", sandbox.readString("target/nested dir/deeper/data file.txt"));
    assertEquals("kept", sandbox.readString("target/existing.txt"), "copyIn merges into an existing directory");
    assertEquals("ran\n", sandbox.exec("'./target/run me.sh'").stdoutText(), "the executable bit must survive copyIn");

    Path single = host.resolve("single.txt");
    Files.writeString(single, "one file");
    sandbox.copyIn(single, "elsewhere/renamed.txt");
    assertEquals("one file", sandbox.readString("elsewhere/renamed.txt"));
  }

  @Test
  @DisplayName("copyOut brings a tree out with modes kept and links not followed")
  void copyOut(@TempDir Path host) throws IOException {
    Sandbox sandbox = open();
    ExecResult made = sandbox.exec("mkdir -p 'out dir/n' && printf x > 'out dir/n/f' && chmod 750 'out dir/n/f'"
        + " && ln -s /etc/passwd 'out dir/link'");
    assertEquals(0, made.exitCode(), made::stderrText);

    Path target = host.resolve("copied");
    sandbox.copyOut("out dir", target);
    assertEquals("x", Files.readString(target.resolve("n/f")));
    Set<PosixFilePermission> modes = Files.getPosixFilePermissions(target.resolve("n/f"));
    assertTrue(modes.contains(PosixFilePermission.OWNER_EXECUTE) && !modes.contains(PosixFilePermission.OTHERS_READ),
        "modes must survive copyOut, got " + PosixFilePermissions.toString(modes));
    Path link = target.resolve("link");
    assertTrue(!Files.exists(link, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(link),
        "a link in the sandbox must come out as a link (or not at all), never as the file it points to");
    Files.deleteIfExists(link);

    Path file = host.resolve("single");
    sandbox.copyOut("out dir/n/f", file);
    assertEquals("x", Files.readString(file));

    assertThrows(IllegalArgumentException.class, () -> sandbox.copyOut("out dir", target),
        "copyOut must not overwrite an existing host path");
    assertThrows(SandboxException.class, () -> sandbox.copyOut("missing", host.resolve("never")));
  }

  @Test
  @DisplayName("paths that climb out with '..' or hold NUL are refused by every operation")
  void pathTraversalRefused(@TempDir Path host) throws IOException {
    Sandbox sandbox = open();
    Path source = Files.writeString(host.resolve("source.txt"), "x");
    for (String bad : List.of("../escape.txt", "a/../../escape.txt", "/..", "/tmp/../etc/passwd", "..", "nul\0byte", "")) {
      String shown = bad.replace("\0", "\\0");
      assertAll("path '" + shown + "'",
          () -> assertThrows(IllegalArgumentException.class, () -> sandbox.readFile(bad), "readFile"),
          () -> assertThrows(IllegalArgumentException.class, () -> sandbox.writeFile(bad, new byte[] {1}), "writeFile"),
          () -> assertThrows(IllegalArgumentException.class, () -> sandbox.copyIn(source, bad), "copyIn"),
          () -> assertThrows(IllegalArgumentException.class, () -> sandbox.copyOut(bad, host.resolve("out")), "copyOut"),
          () -> assertThrows(IllegalArgumentException.class,
              () -> sandbox.exec(ExecRequest.shell("true").toBuilder().workingDirectory(bad).build()), "exec cwd"));
    }
    assertFalse(Files.exists(host.resolve("out")), "a refused copyOut must not create its target");
  }

  // ---- isolation ----

  @Test
  @DisplayName("isolation: files outside the working directory are private to each sandbox")
  void filesystemIsolation() {
    assumeCapability(SandboxCapability.FILESYSTEM_ISOLATION);
    Sandbox a = open();
    Sandbox b = open();
    String path = "/tmp/" + marker();
    assertEquals(0, a.exec("echo secret > " + path).exitCode());
    assertEquals(1, b.exec("test -e " + path).exitCode(), "sandbox B must not see a file sandbox A wrote");
    assertThrows(SandboxException.class, () -> b.readFile(path));
    a.writeString("private.txt", "a");
    assertEquals(1, b.exec("test -e " + a.workingDirectory() + "/private.txt").exitCode());
  }

  @Test
  @DisplayName("isolation: processes of one sandbox are invisible to another")
  void processIsolation() {
    assumeCapability(SandboxCapability.PROCESS_ISOLATION);
    Sandbox a = open();
    Sandbox b = open();
    String marker = marker();
    a.exec("nohup sh -c 'sleep 1000; true' " + marker + " >/dev/null 2>&1 &");
    assertFalse(processesInside(a, marker).isEmpty(), "the process must run in sandbox A");
    assertEquals("", processesInside(b, marker), "sandbox B must not see sandbox A's processes");
  }

  @Test
  @DisplayName("isolation: without network, only loopback exists")
  void networkIsolation() {
    assumeCapability(SandboxCapability.NETWORK_ISOLATION);
    Sandbox sandbox = open(spec().network(false).build());
    ExecResult interfaces = sandbox.exec("cat /proc/net/dev");
    assertEquals(0, interfaces.exitCode(), interfaces::stderrText);
    List<String> names = Arrays.stream(interfaces.stdoutText().split("\n"))
        .filter(line -> line.contains(":"))
        .map(line -> line.substring(0, line.indexOf(':')).trim())
        .toList();
    assertEquals(List.of("lo"), names, "a sandbox without network must have only the loopback interface");
  }

  // ---- lifecycle ----

  @Test
  @DisplayName("close is idempotent")
  void closeIsIdempotent() {
    Sandbox sandbox = open();
    sandbox.exec("true");
    sandbox.close();
    assertTrue(sandbox.isClosed());
    sandbox.close();
    assertTrue(sandbox.isClosed());
  }

  @Test
  @DisplayName("every operation after close is refused with IllegalStateException")
  void useAfterCloseRefused(@TempDir Path host) throws IOException {
    Sandbox sandbox = open();
    Path source = Files.writeString(host.resolve("in.txt"), "x");
    sandbox.close();
    assertAll(
        () -> assertClosedError(() -> sandbox.exec("true")),
        () -> assertClosedError(() -> sandbox.readFile("a")),
        () -> assertClosedError(() -> sandbox.writeFile("a", new byte[0])),
        () -> assertClosedError(() -> sandbox.copyIn(source, "a")),
        () -> assertClosedError(() -> sandbox.copyOut("a", host.resolve("out"))));
  }

  @Test
  @DisplayName("close leaves no process and nothing else behind")
  void closeLeavesNothingBehind() {
    Sandbox sandbox = open();
    String marker = marker();
    sandbox.exec("nohup sh -c 'sleep 1000; true' " + marker + " >/dev/null 2>&1 &");
    sandbox.exec(ExecRequest.shell("sh -c 'trap \"\" TERM HUP INT; sleep 1000; true' " + marker + " & sleep 1000")
        .toBuilder().timeout(Duration.ofMillis(500)).build());
    sandbox.writeString("some/file.txt", "left?");
    assertEquals(0, sandbox.exec("chmod -R a-w some").exitCode(), "a read-only tree must not stop cleanup");
    if (processesVisibleOnHost()) {
      assertFalse(HostProcesses.withCommandLineContaining(marker).isEmpty(), "the probe process must be running");
    }
    sandbox.close();
    if (processesVisibleOnHost()) {
      assertEquals(List.of(), HostProcesses.withCommandLineContaining(marker), "processes survived close");
    }
    assertEquals(List.of(), leftoversAfterClose(sandbox), "resources survived close");
  }

  // ---- helpers ----

  /** A string unique to this test, used to find its processes. */
  protected static String marker() {
    return "swerl-probe-" + UUID.randomUUID().toString().replace("-", "");
  }

  /**
   * The command lines of processes inside the sandbox that contain {@code marker}, one per line, found by
   * reading the sandbox's own {@code /proc}; empty when there are none.
   */
  protected static String processesInside(Sandbox sandbox, String marker) {
    // "[s]werl" matches "swerl" but not itself, so the search never finds its own command line.
    String pattern = "[" + marker.charAt(0) + "]" + marker.substring(1);
    ExecResult result = sandbox.exec(ExecRequest.shell(
        "for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < \"$f\" 2>/dev/null; echo; done | grep '" + pattern + "' || true")
        .toBuilder().timeout(Duration.ofSeconds(60)).build());
    return result.stdoutText().trim();
  }

  private void assumeCapability(SandboxCapability capability) {
    assumeTrue(backend().capabilities().contains(capability),
        () -> "backend '" + backend().name() + "' does not claim " + capability + ": isolation case skipped");
  }

  private static void assertClosedError(org.junit.jupiter.api.function.Executable call) {
    IllegalStateException e = assertThrows(IllegalStateException.class, call);
    assertTrue(e.getMessage() != null && e.getMessage().contains("closed"),
        "the message must say the sandbox is closed: " + e.getMessage());
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
