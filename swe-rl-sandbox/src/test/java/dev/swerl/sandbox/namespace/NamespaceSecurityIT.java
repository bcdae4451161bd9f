package dev.swerl.sandbox.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swerl.api.sandbox.Availability;
import dev.swerl.api.sandbox.ExecRequest;
import dev.swerl.api.sandbox.ExecResult;
import dev.swerl.api.sandbox.ResourceLimits;
import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxCapability;
import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.layers.Layer;
import dev.swerl.sandbox.layers.LayerStore;
import dev.swerl.sandbox.process.ProcTable;
import dev.swerl.sandbox.testing.BusyboxRootfs;
import dev.swerl.sandbox.testkit.HostProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attacks from inside a namespace sandbox, each of which must fail: seeing or signalling host processes,
 * reaching the network when it is off, reading another sandbox's files, writing to a lower layer, to the host's
 * files or to its kernel settings, planting a setuid program for host users, climbing out through {@code ..},
 * symbolic links or {@code chroot}, making device nodes, and exhausting the host's processes. Most run on a
 * busybox layer; those about the host's own directories run on the host layer.
 *
 * <p>Every attack is real: the commands run inside a sandbox and the test then looks at the host. Where an
 * attack could change the host if it succeeded, it only writes new, uniquely named files (removed
 * afterwards) or writes a kernel setting's current value back.
 */
@DisplayName("namespace sandbox security")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NamespaceSecurityIT {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  /** What {@link BusyboxRootfs} writes to {@code /etc/passwd}; the host's differs. */
  private static final String BUSYBOX_PASSWD = "root:x:0:0:root:/root:/bin/sh\n";

  private static NamespaceSandboxBackend backend;
  private static Path cache;
  private static Layer busybox;

  private final List<Sandbox> sandboxes = new ArrayList<>();
  private final List<Path> hostLitter = new ArrayList<>();

  @BeforeAll
  static void backendAndBusyboxAreAvailable() throws Exception {
    assumeTrue(BusyboxRootfs.available(), BusyboxRootfs::unavailableReason);
    cache = Files.createTempDirectory(Path.of("/var/tmp"), "swerl-ns-security-");
    backend = new NamespaceSandboxBackend(cache);
    Availability availability = backend.availability();
    assumeTrue(availability.available(), () -> "namespace backend unavailable here: " + availability.reason());
    // Unpacked into the store, so owned by the sandbox user: root inside owns it, as with a real image.
    busybox = backend.layers().fromTarball(BusyboxRootfs.tarball(cache, cache.resolve("busybox.tar")));
  }

  private static void chownTree(Path root, int uid) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  @AfterAll
  static void deleteCache() throws IOException {
    if (cache != null) {
      FileTrees.deleteRecursively(cache);
    }
  }

  @AfterEach
  void closeSandboxesAndRemoveLitter() throws IOException {
    sandboxes.forEach(Sandbox::close);
    sandboxes.clear();
    // Files an attack managed to put on the host, so that a failing test does not leave them behind.
    for (Path path : hostLitter) {
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        FileTrees.deleteRecursively(path);
      } else {
        Files.deleteIfExists(path);
      }
    }
    hostLitter.clear();
  }

  // ---- processes ----------------------------------------------------------------------------------

  @Test
  @DisplayName("host processes are invisible: /proc and ps list only the sandbox's few, pid 1 is its init, "
      + "and a host process cannot be signalled")
  void hostProcessesAreInvisible() throws Exception {
    String marker = "swerl-host-marker-" + token();
    Process host = new ProcessBuilder("bash", "-c", "exec -a " + marker + " sleep 600").start();
    try {
      await("the host marker process to start", () -> !HostProcesses.withCommandLineContaining(marker).isEmpty());
      NamespaceSandbox sandbox = (NamespaceSandbox) create(busyboxSpec());
      String jvmCommand = ProcessHandle.current().info().command().orElseThrow();
      long jvmPid = ProcessHandle.current().pid();

      Map<Long, String> processes = processes(sandbox);
      assertThat(processes.values())
          .as("command lines in the sandbox's /proc")
          .noneMatch(c -> c.contains(marker))
          .noneMatch(c -> c.contains(jvmCommand));
      assertThat(processes).as("processes in the sandbox's /proc: %s", processes).hasSizeLessThanOrEqualTo(8);
      assertThat(processes.get(1L))
          .as("pid 1 inside is the sandbox's init, not the host's")
          .isEqualTo(hostCommandLine(sandbox.initPid()))
          .isNotEqualTo(hostCommandLine(1));
      assertThat(run(sandbox, "cat /proc/" + jvmPid + "/cmdline").stdoutText())
          .as("the JVM's pid %s inside the sandbox", jvmPid)
          .doesNotContain(jvmCommand);

      String ps = succeed(sandbox, "ps -o pid,args");
      assertThat(ps).doesNotContain(marker).doesNotContain(jvmCommand);
      assertThat(ps.lines().skip(1).map(l -> l.trim().split("\\s+")[0]))
          .as("ps inside the sandbox:%n%s", ps)
          .contains("1")
          .hasSizeLessThanOrEqualTo(8);

      ExecResult kill = run(sandbox, "kill -9 " + host.pid());
      assertThat(kill.exitCode())
          .as("kill -9 of host pid %s from inside: %s", host.pid(), kill.outputText())
          .isNotZero();
      assertThat(host.waitFor(500, TimeUnit.MILLISECONDS)).as("the host process died").isFalse();
    } finally {
      host.destroyForcibly().waitFor();
    }
  }

  // ---- network ------------------------------------------------------------------------------------

  @Test
  @DisplayName("with network off only lo exists and a server on the host (loopback or any address) is unreachable")
  void networkOffReachesNothing() throws Exception {
    try (TokenServer server = TokenServer.start()) {
      Sandbox sandbox = create(busyboxSpec());
      String devices = succeed(sandbox, "cat /proc/net/dev");
      assertThat(interfaces(devices)).as("/proc/net/dev:%n%s", devices).containsExactly("lo");

      String output = run(sandbox, connectScript(server.port())).outputText();
      assertThat(output).as("connection attempts from inside:%n%s", output).doesNotContain(server.token());
      assertThat(server.accepted()).as("connections the host server accepted").isZero();
    }
  }

  @Test
  @DisplayName("with network on the same server is reachable, so the network-off check can tell")
  void networkOnReachesTheHostServer() throws Exception {
    try (TokenServer server = TokenServer.start()) {
      Sandbox sandbox = create(busyboxSpec().network(true));
      String output = run(sandbox, connectScript(server.port())).outputText();
      assertThat(output).as("connection attempts from inside:%n%s", output).contains(server.token());
      assertThat(server.accepted()).isPositive();
    }
  }

  // ---- other sandboxes ----------------------------------------------------------------------------

  @Test
  @DisplayName("another sandbox's files (/tmp, /root, /work, /, /dev/shm, its upper directory) are unreachable, "
      + "/proc/*/root included")
  void anotherSandboxsFilesAreUnreachable() {
    String secret = "swerl-secret-" + token();
    NamespaceSandbox a = (NamespaceSandbox) create(busyboxSpec());
    Sandbox b = create(busyboxSpec());
    List<String> places = List.of("/tmp", "/root", "/work", "", "/dev/shm");
    StringBuilder write = new StringBuilder();
    for (String place : places) {
      write.append("echo \"$S\" > ").append(place).append("/secret-file\n");
    }
    // A process that lives on in A, so that a /proc/PID/root of A would exist if B could see it.
    write.append("sh -c 'sleep 300; : \"$1\"' sh \"$S\" </dev/null >/dev/null 2>&1 &\n");
    succeed(a, write.toString(), Map.of("S", secret));
    assertThat(a.readString("/root/secret-file")).isEqualTo(secret + "\n");
    assertThat(succeed(a, "ps -o args")).as("A's processes").contains(secret);
    String aUpper = a.runDirectory().resolve("upper").toString();

    ExecResult look = run(b, """
        for f in /tmp /root /work "" /dev/shm "$U" "$U/root" "$U/work"; do
          [ -e "$f/secret-file" ] && echo "FOUND $f/secret-file"
        done
        for r in /proc/[0-9]*/root; do
          for f in /tmp /root /work "" /dev/shm; do [ -e "$r$f/secret-file" ] && echo "FOUND $r$f/secret-file"; done
        done
        for p in /proc/[0-9]*; do grep -q -F "$S" "$p/cmdline" 2>/dev/null && echo "FOUND process $p"; done
        find / -path /proc -prune -o -type f -print 2>/dev/null | while read -r f; do
          grep -q -F "$S" "$f" 2>/dev/null && echo "FOUND content in $f"
        done
        ls -d "$U" 2>&1
        """, Map.of("S", secret, "U", aUpper));
    assertThat(look.outputText())
        .as("what B found of A's secret:%n%s", look.outputText())
        .doesNotContain("FOUND")
        .doesNotContain(secret)
        .contains("No such file or directory");
    for (String place : places) {
      assertThatThrownBy(() -> b.readFile(place + "/secret-file")).isInstanceOf(SandboxException.class);
    }
    assertThatThrownBy(() -> b.readFile(aUpper + "/root/secret-file")).isInstanceOf(SandboxException.class);
  }

  // ---- lower layers -------------------------------------------------------------------------------

  @Test
  @DisplayName("a directory layer stays byte-for-byte unchanged after rm -rf /bin /etc and overwrites inside, "
      + "and a second sandbox still sees the originals")
  void directoryLayerCannotBeWritten() throws Exception {
    Path dir = BusyboxRootfs.build(cache.resolve("lower-" + token())).toRealPath();
    // Owned by the sandbox user, so every write inside is allowed and must land in the upper layer.
    chownTree(dir, backend.sandboxUid());
    Layer layer = backend.layers().fromDirectory(dir);
    Map<String, String> before = snapshot(dir);

    Sandbox vandal = create(busyboxSpec(layer));
    ExecResult attack = run(vandal, """
        echo pwned > /etc/passwd
        echo pwned >> /etc/group
        chmod 4777 /bin/busybox
        touch /bin/new-file /new-file
        mkdir -p "$L/etc" && echo pwned > "$L/etc/passwd" && touch "$L/new-file"
        rm -rf /bin /etc
        """, Map.of("L", dir.toString()));
    assertThat(attack.exitCode()).as("the attack ran: %s", attack.outputText()).isZero();
    assertThat(vandal.exec(ExecRequest.argv("/bin/busybox", "true")).exitCode())
        .as("the vandal's own /bin is gone")
        .isNotZero();

    assertThat(snapshot(dir)).as("the layer directory on the host").isEqualTo(before);

    Sandbox witness = create(busyboxSpec(layer));
    assertThat(witness.readString("/etc/passwd")).isEqualTo(BUSYBOX_PASSWD);
    assertThat(succeed(witness, "stat -c %a /bin/busybox; ls /new-file /bin/new-file 2>&1; true"))
        .startsWith("755\n")
        .contains("/new-file: No such file or directory")
        .contains("/bin/new-file: No such file or directory");
  }

  @Test
  @DisplayName("on the host layer, writing into /usr, /etc or /bin fails")
  void hostLayerIsReadOnly() throws Exception {
    Sandbox sandbox = create(hostSpec());
    String name = ".swerl-write-probe-" + token();
    List<String> dirs = List.of("/usr", "/usr/bin", "/usr/lib", "/etc", "/bin");
    for (String dir : dirs) {
      hostLitter.add(Path.of(dir, name));
      hostLitter.add(Path.of(dir, name + "-dir"));
      hostLitter.add(Path.of(dir, name + "-link"));
    }
    byte[] passwd = Files.readAllBytes(Path.of("/etc/passwd"));
    ExecResult attack = run(sandbox, """
        for d in /usr /usr/bin /usr/lib /etc /bin; do
          touch "$d/$N" && echo "WROTE $d/$N"
          mkdir "$d/$N-dir" && echo "WROTE $d/$N-dir"
          ln -s / "$d/$N-link" && echo "WROTE $d/$N-link"
        done
        : >> /etc/passwd && echo "WROTE /etc/passwd"
        """, Map.of("N", name));
    assertThat(attack.outputText())
        .as("writes into the host layer:%n%s", attack.outputText())
        .doesNotContain("WROTE")
        .contains("Read-only file system");
    for (Path path : hostLitter) {
      assertThat(path).as("on the host").doesNotExist();
    }
    assertThat(Files.readAllBytes(Path.of("/etc/passwd"))).isEqualTo(passwd);
  }

  @Test
  @DisplayName("on the host layer, the read-only binds of /usr and /etc cannot be remounted writable")
  void hostLayerBindsCannotBeRemountedWritable() {
    Sandbox sandbox = create(hostSpec());
    String name = ".swerl-remount-probe-" + token();
    for (String dir : List.of("/usr", "/etc")) {
      hostLitter.add(Path.of(dir, name));
      hostLitter.add(Path.of(dir, name + "-via-bind"));
    }
    ExecResult attack = run(sandbox, """
        for d in /usr /etc; do
          mount -o remount,bind,rw "$d" 2>&1 && echo "REMOUNTED $d"
          touch "$d/$N" && echo "WROTE $d/$N"
          mkdir -p "/tmp/bind$d" && mount --bind "$d" "/tmp/bind$d" && mount -o remount,bind,rw "/tmp/bind$d" \
            && touch "/tmp/bind$d/$N-via-bind" && echo "WROTE $d/$N-via-bind"
        done
        """, Map.of("N", name));
    assertThat(attack.outputText()).as("the remount attack:%n%s", attack.outputText()).doesNotContain("WROTE");
    for (Path path : hostLitter) {
      assertThat(path).as("on the host").doesNotExist();
    }
  }

  // ---- the host -----------------------------------------------------------------------------------

  @Test
  @DisplayName("files created in every writable place inside never appear on the host's /, /tmp, /var/tmp, "
      + "/root, /dev or /dev/shm")
  void writesNeverReachTheHost() throws Exception {
    NamespaceSandbox sandbox = (NamespaceSandbox) create(busyboxSpec());
    String name = "swerl-escape-" + token();
    List<Path> hostPlaces = Stream.of("/", "/tmp", "/var/tmp", "/root", "/dev", "/dev/shm", "/work", "/home", "/run")
        .map(Path::of).filter(Files::isDirectory).map(d -> d.resolve(name)).toList();
    hostLitter.addAll(hostPlaces);

    String written = succeed(sandbox, """
        for d in $(find / -path /proc -prune -o -type d -print 2>/dev/null); do
          echo escape > "$d/$N" 2>/dev/null && echo "$d"
        done
        true
        """, Map.of("N", name));
    assertThat(written.lines().toList())
        .as("directories the sandbox could write into (its own)")
        .contains("/", "/tmp", "/root", "/work", "/dev", "/dev/shm");
    for (Path path : hostPlaces) {
      assertThat(path).as("on the host").doesNotExist();
    }
    assertThat(sandbox.runDirectory().resolve("upper").resolve(name))
        .as("the write to / landed in the sandbox's private upper layer")
        .exists();
  }

  @Test
  @DisplayName("host kernel settings in /proc/sys cannot be changed (even to their current value)")
  void hostKernelSettingsAreReadOnly() throws Exception {
    Sandbox sandbox = create(busyboxSpec());
    String corePattern = Files.readString(Path.of("/proc/sys/kernel/core_pattern"));
    // Writing back the current value proves the point without changing the host if the write goes through.
    ExecResult attack = run(sandbox, """
        for s in kernel/core_pattern kernel/modprobe kernel/panic fs/file-max vm/swappiness; do
          f=/proc/sys/$s
          [ -e "$f" ] || continue
          v=$(cat "$f") && echo "$v" > "$f" && echo "WROTE $f"
        done
        [ -e /proc/sysrq-trigger ] && [ -w /proc/sysrq-trigger ] && echo "WRITABLE /proc/sysrq-trigger"
        true
        """);
    assertThat(attack.outputText())
        .as("writes to host kernel settings:%n%s", attack.outputText())
        .doesNotContain("WROTE")
        .doesNotContain("WRITABLE");
    assertThat(Files.readString(Path.of("/proc/sys/kernel/core_pattern"))).isEqualTo(corePattern);
  }

  @Test
  @DisplayName("a setuid program made inside, in a cache the backend created itself, cannot be run with the "
      + "sandbox owner's privileges by another host user")
  void setuidProgramsMadeInsideDoNotEmpowerHostUsers() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "the host has no /usr/bin/perl to plant");
    int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    assumeTrue(self == 0, "only root can run a program as another host user (nobody) to check this");
    // A cache directory the backend creates, as it creates its default one (/var/tmp/swerl-namespace-<user>).
    Path fresh = Path.of("/var/tmp", "swerl-ns-security-fresh-" + token());
    hostLitter.add(fresh);
    NamespaceSandbox sandbox = (NamespaceSandbox) new NamespaceSandboxBackend(fresh).create(hostSpec().build());
    sandboxes.add(sandbox);
    succeed(sandbox, "cp /usr/bin/perl /swerl-suid-perl && chmod 4755 /swerl-suid-perl");
    Path planted = sandbox.runDirectory().resolve("upper").resolve("swerl-suid-perl");
    assertThat(planted).as("the sandbox's write lands in its upper layer on the host").exists();

    Process nobody = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
        planted.toString(), "-e", "print qq(euid=$>\n)").redirectErrorStream(true).start();
    nobody.getOutputStream().close();
    String output = new String(nobody.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(nobody.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(output)
        .as("host user nobody running %s (mode %s, cache directory mode %s):%n%s", planted, mode(planted),
            mode(fresh), output)
        .doesNotContain("euid=" + self);
  }

  @Test
  @DisplayName("the old root is gone: /dev/.swerl-oldroot is empty, cd .. from / stays at /, and no host file "
      + "system is mounted")
  void oldRootIsUnreachable() throws Exception {
    Sandbox sandbox = create(busyboxSpec());
    String marker = "swerl-root-" + token();
    String output = succeed(sandbox, """
        touch "/$M"
        echo "oldroot=$(ls -A /dev/.swerl-oldroot 2>/dev/null | wc -l)"
        cd / && cd -P .. && echo "pwd=$(pwd -P)"
        cd /; i=0; while [ $i -lt 64 ]; do cd -P ..; i=$((i+1)); done
        [ -e "$M" ] && echo "top=sandbox"
        [ -e "$C" ] && echo "top=HOST"
        true
        """, Map.of("M", marker, "C", cache.toString()));
    assertThat(output).contains("oldroot=0", "pwd=/", "top=sandbox").doesNotContain("top=HOST");

    String hostRootDevice = mountDevice(Files.readString(Path.of("/proc/self/mountinfo")), "/");
    String mounts = succeed(sandbox, "cat /proc/self/mountinfo");
    assertThat(mounts.lines())
        .as("mounts inside the sandbox, none of the host's root file system %s:%n%s", hostRootDevice, mounts)
        .noneMatch(line -> line.split(" ")[2].equals(hostRootDevice));
  }

  @Test
  @DisplayName("a busybox chroot escape (chroot into a jail, climb out through /proc, cd .. many times) "
      + "still sees the sandbox root")
  void busyboxChrootEscapeStaysInside() {
    Sandbox sandbox = create(busyboxSpec());
    String marker = "swerl-root-" + token();
    String output = succeed(sandbox, """
        touch "/$M"
        mkdir -p /jail/bin /jail/proc
        cp /bin/busybox /jail/bin/busybox
        mount -t proc proc /jail/proc
        chroot /jail /bin/busybox sh -c '
          i=0; while [ $i -lt 64 ]; do cd -P ..; i=$((i+1)); done
          echo "jail=$(/bin/busybox ls -A / | /bin/busybox tr "\\n" " ")"
          cd -P /proc/1/root && i=0; while [ $i -lt 64 ]; do cd -P ..; i=$((i+1)); done
          [ -e "$1" ] && echo "escaped=sandbox"
          [ -e "$2" ] && echo "escaped=HOST"
          true
        ' sh "$M" "${C#/}"
        """, Map.of("M", marker, "C", cache.toString()));
    assertThat(output)
        .as("the chroot escape:%n%s", output)
        .contains("jail=bin proc")
        .contains("escaped=sandbox")
        .doesNotContain("escaped=HOST");
  }

  @Test
  @DisplayName("the classic chroot escape (chroot with the working directory outside, cd .., chroot .) "
      + "reaches only the sandbox root (perl on the host layer)")
  void classicChrootEscapeStaysInside() {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "the host has no /usr/bin/perl to run the escape with");
    Sandbox sandbox = create(hostSpec());
    String marker = "swerl-root-" + token();
    String output = succeed(sandbox, """
        touch "/$M"
        cd /tmp && perl -e '
          mkdir "jail"; chroot "jail" or die "chroot: $!";
          chdir ".." for 1 .. 64;
          chroot "." or die "chroot .: $!";
          print -e "/$ARGV[0]" ? "escaped=sandbox\\n" : "", -e $ARGV[1] ? "escaped=HOST\\n" : "";
        ' "$M" "$C"
        """, Map.of("M", marker, "C", cache.toString()));
    assertThat(output).as("the chroot escape:%n%s", output).contains("escaped=sandbox").doesNotContain("escaped=HOST");
  }

  // ---- file transfers -----------------------------------------------------------------------------

  @Test
  @DisplayName("readFile, copyOut, copyIn and writeFile through links to /, /etc and ../../.. stay inside the sandbox")
  void fileTransfersThroughLinksStayInside() throws Exception {
    Sandbox sandbox = create(busyboxSpec());
    Path hostSecret = Files.writeString(cache.resolve("host-secret-" + token()), "host secret");
    String name = "swerl-link-" + token();
    byte[] hostPasswd = Files.readAllBytes(Path.of("/etc/passwd"));
    hostLitter.addAll(List.of(Path.of("/etc", name), Path.of("/", name), Path.of("/", name + "-file"),
        Path.of("/tmp", name), Path.of("/tmp", name + "-esc"), Path.of("/tmp", name + "-up")));
    succeed(sandbox, """
        mkdir -p /work/links && cd /work/links
        ln -s / to-root; ln -s /etc to-etc; ln -s ../../.. up; ln -s /etc/passwd passwd; ln -s "$H" host-secret
        """, Map.of("H", hostSecret.toString()));

    for (String path : List.of("/work/links/passwd", "/work/links/to-etc/passwd", "/work/links/up/etc/passwd",
        "/work/links/to-root/etc/passwd", "links/up/etc/passwd")) {
      assertThat(sandbox.readString(path)).as("readFile %s", path).isEqualTo(BUSYBOX_PASSWD);
    }
    for (String path : List.of("/work/links/host-secret", hostSecret.toString(), "/work/links/to-root" + hostSecret,
        "/work/links/up" + hostSecret)) {
      assertThatThrownBy(() -> sandbox.readFile(path)).as("readFile %s", path).isInstanceOf(SandboxException.class);
    }

    Path out = Files.createDirectory(cache.resolve("out-" + token()));
    Map<String, String> links = Map.of("to-root", "/", "to-etc", "/etc", "up", "../../..", "passwd", "/etc/passwd",
        "host-secret", hostSecret.toString());
    for (Map.Entry<String, String> link : links.entrySet()) {
      Path target = out.resolve(link.getKey());
      sandbox.copyOut("/work/links/" + link.getKey(), target);
      assertThat(Files.isSymbolicLink(target)).as("copyOut of link %s gives a link", link.getKey()).isTrue();
      assertThat(Files.readSymbolicLink(target)).hasToString(link.getValue());
    }
    sandbox.copyOut("/work/links", out.resolve("tree"));
    try (Stream<Path> tree = Files.walk(out.resolve("tree"))) {
      assertThat(tree.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList())
          .as("regular files in the copied-out tree of links")
          .isEmpty();
    }
    sandbox.copyOut("/work/links/to-etc/passwd", out.resolve("passwd-through-link"));
    assertThat(Files.readString(out.resolve("passwd-through-link"))).isEqualTo(BUSYBOX_PASSWD);

    sandbox.writeString("/work/links/to-etc/" + name, "written");
    sandbox.writeString("/work/links/up/" + name, "written");
    sandbox.writeString("/work/links/passwd", "pwned\n");
    assertThat(sandbox.readString("/etc/" + name)).isEqualTo("written");
    assertThat(sandbox.readString("/" + name)).isEqualTo("written");
    assertThat(sandbox.readString("/etc/passwd")).isEqualTo("pwned\n");
    assertThat(Path.of("/etc", name)).doesNotExist();
    assertThat(Path.of("/", name)).doesNotExist();
    assertThat(Files.readAllBytes(Path.of("/etc/passwd"))).isEqualTo(hostPasswd);
    // A link to a host path dangles inside; once the path exists inside, writes through the link land there.
    assertThatThrownBy(() -> sandbox.writeString("/work/links/host-secret", "pwned\n"))
        .isInstanceOf(SandboxException.class);
    sandbox.writeString(hostSecret.getParent() + "/placeholder", "");
    sandbox.writeString("/work/links/host-secret", "pwned\n");
    assertThat(sandbox.readString(hostSecret.toString())).isEqualTo("pwned\n");
    assertThat(Files.readString(hostSecret)).isEqualTo("host secret");
    assertThat(Files.readString(busybox.root().resolve("etc/passwd"))).isEqualTo(BUSYBOX_PASSWD);

    Path in = Files.createDirectory(cache.resolve("in-" + token()));
    Files.writeString(in.resolve("file"), "copied in");
    Files.createSymbolicLink(in.resolve("esc"), Path.of("/tmp"));
    Files.createSymbolicLink(in.resolve("esc-up"), Path.of("../../../../tmp"));
    sandbox.copyIn(in, "/work/links/to-root/tmp/" + name);
    sandbox.copyIn(in.resolve("file"), "/work/links/up/" + name + "-file");
    sandbox.copyIn(in.resolve("file"), "/tmp/" + name + "/esc/" + name + "-esc");
    sandbox.copyIn(in.resolve("file"), "/tmp/" + name + "/esc-up/" + name + "-up");
    assertThat(sandbox.readString("/tmp/" + name + "/file")).isEqualTo("copied in");
    assertThat(sandbox.readString("/" + name + "-file")).isEqualTo("copied in");
    assertThat(sandbox.readString("/tmp/" + name + "-esc")).isEqualTo("copied in");
    assertThat(sandbox.readString("/tmp/" + name + "-up")).isEqualTo("copied in");
    for (Path path : hostLitter) {
      assertThat(path).as("on the host").doesNotExist();
    }
  }

  @Test
  @DisplayName("paths with .. are refused with IllegalArgumentException before anything runs")
  void dotDotPathsAreRefused() throws Exception {
    Sandbox sandbox = create(busyboxSpec());
    Path hostFile = Files.writeString(cache.resolve("dotdot-" + token()), "x");
    Path target = cache.resolve("dotdot-out-" + token());
    assertThatIllegalArgumentException().isThrownBy(() -> sandbox.readFile("/work/../etc/passwd"));
    assertThatIllegalArgumentException().isThrownBy(() -> sandbox.readFile("../../../etc/passwd"));
    assertThatIllegalArgumentException().isThrownBy(() -> sandbox.writeString("/tmp/../x", "x"));
    assertThatIllegalArgumentException().isThrownBy(() -> sandbox.writeString("..", "x"));
    assertThatIllegalArgumentException().isThrownBy(() -> sandbox.copyIn(hostFile, "/work/../../x"));
    assertThatIllegalArgumentException().isThrownBy(() -> sandbox.copyOut("/work/..", target));
    assertThatIllegalArgumentException().isThrownBy(() -> sandbox.copyOut("../etc", target));
    assertThatIllegalArgumentException().isThrownBy(
        () -> ExecRequest.shell("ls").toBuilder().workingDirectory("/work/../..").build());
    assertThat(target).doesNotExist();
  }

  // ---- devices ------------------------------------------------------------------------------------

  @Test
  @DisplayName("device nodes cannot be made (mknod gets EPERM), /dev has no block devices, and nothing "
      + "block-backed mounts")
  void noDeviceNodesOrBlockMounts() throws Exception {
    Sandbox sandbox = create(busyboxSpec());
    String hostRootSource = mountSource(Files.readString(Path.of("/proc/self/mountinfo")), "/");
    String output = run(sandbox, """
        mknod /tmp/char-node c 1 3; echo "char=$?"
        mknod /tmp/block-node b 8 0; echo "block=$?"
        mknod /dev/block-node b 8 0; echo "dev-block=$?"
        echo "block-devices=$(find / -path /proc -prune -o -type b -print 2>/dev/null | wc -l)"
        mkdir -p /mnt/a /mnt/b /mnt/c
        mount -t devtmpfs devtmpfs /mnt/a; echo "devtmpfs=$?"
        mount -o ro "$R" /mnt/b; echo "host-root=$?"
        mount -t ext4 -o ro /dev/null /mnt/c; echo "ext4=$?"
        """, Map.of("R", hostRootSource)).outputText();
    assertThat(output)
        .as("device attacks:%n%s", output)
        .contains("block-devices=0")
        .doesNotContain("char=0", "block=0", "dev-block=0", "devtmpfs=0", "host-root=0", "ext4=0");
    assertThat(output.split("Operation not permitted", -1))
        .as("EPERM from each mknod:%n%s", output)
        .hasSizeGreaterThan(3);
  }

  // ---- resources ----------------------------------------------------------------------------------

  @Test
  @DisplayName("under a 64-process limit, forks fail at the cap and a fork bomb runs into its timeout while the "
      + "host stays responsive; after close no process of the sandbox remains")
  void forkBombIsContained() throws Exception {
    assumeTrue(backend.capabilities().contains(SandboxCapability.RESOURCE_LIMITS),
        "the namespace backend does not enforce resource limits (no RESOURCE_LIMITS capability) on this host");
    int cap = 64;
    SandboxSpec limited = busyboxSpec().limits(ResourceLimits.NONE.withMaxProcesses(cap)).build();
    int slack = 8; // host-side helpers (unshare, nsenter) carry the sandbox's marker but are not in its group

    // 200 background sleeps: ash gives up at the first fork the cap refuses, and the sleeps started stay.
    NamespaceSandbox capped = (NamespaceSandbox) backend.create(limited);
    sandboxes.add(capped);
    ExecResult spawn = run(capped,
        "i=0; while [ $i -lt 200 ]; do sleep 120 </dev/null >/dev/null 2>&1 & i=$((i+1)); done; echo \"all $i\"");
    assertThat(spawn.outputText())
        .as("starting 200 processes under a cap of %s: %s", cap, spawn.outputText())
        .contains("Resource temporarily unavailable")
        .doesNotContain("all 200");
    // Counted with shell built-ins only, so the count itself needs no process beyond the shell.
    String inside = succeed(capped, "n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n").strip();
    assertThat(Integer.parseInt(inside)).as("processes inside after the spawn").isBetween(cap - slack, cap);
    assertThat(sandboxProcesses(capped)).as("processes of the sandbox on the host").isBetween(cap - slack, cap + slack);

    // The bomb's own shell waits on a fifo without forking (again when a dying child interrupts the open), so
    // the bomb runs until the timeout kills it.
    NamespaceSandbox bombed = (NamespaceSandbox) backend.create(limited);
    sandboxes.add(bombed);
    Duration timeout = Duration.ofSeconds(15);
    CompletableFuture<ExecResult> bomb = CompletableFuture.supplyAsync(() -> run(bombed,
        "mkfifo /tmp/hold; b(){ b|b& }; b; while :; do read x < /tmp/hold; done", Map.of(), timeout));
    Thread.sleep(3_000);
    assertThat(bomb.isDone())
        .as("the bomb still runs after 3 s; it ended with %s", bomb.isDone() ? describe(bomb.join()) : "")
        .isFalse();
    int most = 0;
    for (int i = 0; i < 10; i++) {
      most = Math.max(most, sandboxProcesses(bombed));
      Thread.sleep(100);
    }
    assertThat(most).as("the bomb's processes seen on the host").isLessThanOrEqualTo(cap + slack);
    long hostStart = System.nanoTime();
    Process probe = new ProcessBuilder("true").start();
    assertThat(probe.waitFor(10, TimeUnit.SECONDS)).as("the host can start a process during the bomb").isTrue();
    assertThat(probe.exitValue()).isZero();
    assertThat(Duration.ofNanos(System.nanoTime() - hostStart)).isLessThan(Duration.ofSeconds(5));

    ExecResult result = bomb.get(2, TimeUnit.MINUTES);
    assertThat(result.timedOut()).as("the bomb ended by its timeout: %s", result).isTrue();
    assertThat(result.wallTime()).isLessThan(timeout.plusSeconds(30));

    String marker = NamespaceSandbox.SANDBOX_MARKER + "=" + bombed.id();
    long init = bombed.initPid();
    bombed.close();
    capped.close();
    await("the bombed sandbox's processes to be gone after close",
        () -> ProcTable.find(e -> !e.zombie() && e.hasEnv(marker)).isEmpty());
    ProcTable.Entry initEntry = ProcTable.get(init);
    assertThat(initEntry == null || initEntry.zombie()).as("the sandbox's init %s after close", init).isTrue();
    assertThat(sandboxProcesses(capped)).as("processes of the capped sandbox after close").isZero();
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private Sandbox create(SandboxSpec.Builder spec) {
    Sandbox sandbox = backend.create(spec.build());
    sandboxes.add(sandbox);
    return sandbox;
  }

  private static SandboxSpec.Builder busyboxSpec() {
    return busyboxSpec(busybox);
  }

  private static SandboxSpec.Builder busyboxSpec(Layer layer) {
    return SandboxSpec.builder().layers(List.of(layer.id())).shell("sh", "-c");
  }

  private static SandboxSpec.Builder hostSpec() {
    return SandboxSpec.builder().layers(List.of(LayerStore.HOST)).shell("/bin/sh", "-c");
  }

  private static ExecResult run(Sandbox sandbox, String script) {
    return run(sandbox, script, Map.of());
  }

  private static ExecResult run(Sandbox sandbox, String script, Map<String, String> env) {
    return run(sandbox, script, env, COMMAND_TIMEOUT);
  }

  private static ExecResult run(Sandbox sandbox, String script, Map<String, String> env, Duration timeout) {
    return sandbox.exec(ExecRequest.shell(script).toBuilder().env(env).timeout(timeout).mergeStderr(true).build());
  }

  private static String succeed(Sandbox sandbox, String script) {
    return succeed(sandbox, script, Map.of());
  }

  private static String succeed(Sandbox sandbox, String script, Map<String, String> env) {
    ExecResult result = run(sandbox, script, env);
    assertThat(result.exitCode()).as("exit code of:%n%s%noutput:%n%s", script, result.outputText()).isZero();
    return result.stdoutText();
  }

  /** Pid to command line (NULs as spaces) of every process in the sandbox's /proc. */
  private static Map<Long, String> processes(Sandbox sandbox) {
    String listing = succeed(sandbox, """
        for d in /proc/[0-9]*; do printf '%s\\t' "${d#/proc/}"; tr '\\0\\n' '  ' < "$d/cmdline" 2>/dev/null; echo; done
        """);
    Map<Long, String> processes = new TreeMap<>();
    for (String line : listing.lines().toList()) {
      String[] fields = line.split("\t", 2);
      processes.put(Long.parseLong(fields[0]), fields.length > 1 ? fields[1].trim() : "");
    }
    return processes;
  }

  private static String hostCommandLine(long pid) throws IOException {
    return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
        .replace('\0', ' ').trim();
  }

  /** The permission bits, setuid included, in octal. */
  private static String mode(Path path) throws IOException {
    return Integer.toOctalString((Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
  }

  private static String describe(ExecResult result) {
    String output = result.outputText();
    return result + ":\n" + (output.length() > 2000 ? output.substring(0, 2000) + "..." : output);
  }

  /** How many live host processes carry the sandbox's marker in their environment. */
  private static int sandboxProcesses(NamespaceSandbox sandbox) {
    String marker = NamespaceSandbox.SANDBOX_MARKER + "=" + sandbox.id();
    return ProcTable.find(e -> !e.zombie() && e.hasEnv(marker)).size();
  }

  /** Interface names in a /proc/net/dev listing. */
  private static List<String> interfaces(String procNetDev) {
    return procNetDev.lines().filter(l -> l.contains(":") && !l.contains("|"))
        .map(l -> l.substring(0, l.indexOf(':')).trim()).toList();
  }

  /** Tries the server at 127.0.0.1 and at every other IPv4 address of the host, with nc and with wget. */
  private static String connectScript(int port) throws SocketException {
    List<String> addresses = new ArrayList<>(List.of("127.0.0.1"));
    for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
      if (nic.isUp() && !nic.isLoopback()) {
        nic.inetAddresses().filter(Inet4Address.class::isInstance).map(InetAddress::getHostAddress)
            .forEach(addresses::add);
      }
    }
    StringBuilder script = new StringBuilder();
    for (String address : addresses) {
      script.append("echo '== ").append(address).append("'\n")
          .append("nc -w 3 ").append(address).append(' ').append(port).append(" </dev/null; echo \"nc exit $?\"\n")
          .append("wget -q -T 3 -O - http://").append(address).append(':').append(port)
          .append("/ ; echo \"wget exit $?\"\n");
    }
    return script.toString();
  }

  /** Relative path to kind, mode, and content hash or link target, of every entry under {@code root}. */
  private static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> entries = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.toList()) {
        String key = root.relativize(path).toString();
        if (Files.isSymbolicLink(path)) {
          entries.put(key, "link -> " + Files.readSymbolicLink(path));
        } else {
          String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
          entries.put(key, Files.isDirectory(path) ? "dir " + mode : "file " + mode + " " + LayerStore.sha256(path));
        }
      }
    }
    return entries;
  }

  /** Field 3 (major:minor) of the mount at {@code mountPoint} in a mountinfo listing. */
  private static String mountDevice(String mountinfo, String mountPoint) {
    return mountinfoLine(mountinfo, mountPoint)[2];
  }

  /** The mount source (after the " - fstype") of the mount at {@code mountPoint}. */
  private static String mountSource(String mountinfo, String mountPoint) {
    String[] fields = mountinfoLine(mountinfo, mountPoint);
    for (int i = 0; i < fields.length - 2; i++) {
      if (fields[i].equals("-")) {
        return fields[i + 2];
      }
    }
    throw new IllegalStateException("no source in mountinfo line " + String.join(" ", fields));
  }

  private static String[] mountinfoLine(String mountinfo, String mountPoint) {
    String[] found = null;
    for (String line : mountinfo.lines().toList()) {
      String[] fields = line.split(" ");
      if (fields[4].equals(mountPoint)) {
        found = fields; // the last mount over a point is the visible one
      }
    }
    if (found == null) {
      throw new IllegalStateException("no mount at " + mountPoint + " in:\n" + mountinfo);
    }
    return found;
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static String token() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
  }

  /**
   * A TCP server on every host address that answers each connection with a minimal HTTP response holding a
   * random token, so that nc and wget from inside print the token exactly when they reach it.
   */
  private static final class TokenServer implements AutoCloseable {
    private final ServerSocket socket;
    private final String token = "swerl-net-" + token();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    private TokenServer(ServerSocket socket) {
      this.socket = socket;
      this.acceptor = Thread.ofVirtual().name("token-server").start(this::serve);
    }

    static TokenServer start() throws IOException {
      ServerSocket socket = new ServerSocket();
      socket.bind(new InetSocketAddress(0));
      return new TokenServer(socket);
    }

    int port() {
      return socket.getLocalPort();
    }

    String token() {
      return token;
    }

    int accepted() {
      return accepted.get();
    }

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket client = socket.accept()) {
          accepted.incrementAndGet();
          client.setSoTimeout(1000);
          readRequest(client.getInputStream());
          OutputStream out = client.getOutputStream();
          byte[] body = (token + "\n").getBytes(StandardCharsets.US_ASCII);
          out.write(("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
          client.shutdownOutput();
        } catch (IOException e) {
          // closed, or a client that went away
        }
      }
    }

    /** Reads a request up to its blank line; nc sends nothing, so a short timeout ends the wait. */
    private static void readRequest(InputStream in) throws IOException {
      StringBuilder seen = new StringBuilder();
      try {
        int c;
        while ((c = in.read()) >= 0) {
          seen.append((char) c);
          if (seen.toString().endsWith("\r\n\r\n")) {
            return;
          }
        }
      } catch (SocketTimeoutException e) {
        // nothing more is coming
      }
    }

    @Override
    public void close() throws IOException, InterruptedException {
      socket.close();
      acceptor.join(5_000);
    }
  }
}
