package dev.swerl.sandbox.layers;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.process.HostTools;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The on-disk cache of environment layers, under {@code <cache>/layers/<id>/}: each holds a
 * {@code layer.properties} description and, unless it is used in place, a {@code root/} tree.
 *
 * <pre>{@code
 * LayerStore store = new LayerStore(Path.of("/var/tmp/swerl-namespace"));
 * Layer base = store.fromTarball(Path.of("debian-rootfs.tar"));   // unpacked once, keyed by content
 * Layer host = store.host();                                      // the host's /usr, /etc, ... read-only
 * }</pre>
 *
 * <p>Adding a layer is safe from several threads and processes at once: the work happens in a private
 * directory that is renamed into place, under a file lock per layer id.
 */
@API(status = EXPERIMENTAL)
public final class LayerStore {
  /** The id of the host base layer. */
  public static final String HOST = "host";

  private static final String META = "layer.properties";
  private static final List<String> HOST_SYSTEM_DIRS = List.of("usr", "etc", "bin", "sbin", "lib", "lib32", "lib64", "libx32");
  private static final List<String> HOST_EMPTY_DIRS = List.of("root", "home", "tmp", "var/tmp", "opt", "run", "mnt", "srv");

  /**
   * One monitor per lock file: a file lock keeps other processes out, but the JVM holds it for the whole
   * process, so threads of this JVM must be kept apart by a monitor first.
   */
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final Path layers;
  private final int ownerUid;
  private final int ownerGid;

  /** A store whose layers keep the owners their content came with. */
  public LayerStore(Path cacheDirectory) {
    this(cacheDirectory, -1, -1);
  }

  /**
   * A store whose layers (except directories used in place) are owned by {@code ownerUid:ownerGid}, the
   * host user sandboxes run as, so that root inside a sandbox owns the files it sees; -1 keeps owners.
   */
  public LayerStore(Path cacheDirectory, int ownerUid, int ownerGid) {
    this.ownerUid = ownerUid;
    this.ownerGid = ownerGid;
    this.layers = cacheDirectory.resolve("layers");
    try {
      Files.createDirectories(layers);
    } catch (IOException e) {
      throw new SandboxException("cannot create the layer cache " + layers + ": check the directory is writable", e);
    }
  }

  /** The directory layers are kept in. */
  public Path directory() {
    return layers;
  }

  /**
   * The layer with this id.
   *
   * @throws IllegalArgumentException when there is none (the message lists the ids there are)
   */
  public Layer get(String id) {
    if (id.equals(HOST)) {
      return host();
    }
    checkId(id);
    Layer layer = read(id);
    if (layer == null) {
      throw new IllegalArgumentException("no layer '" + id + "' in " + layers + "; known layers: " + ids()
          + " (add one with fromDirectory, fromTarball or a build)");
    }
    return layer;
  }

  /** Whether a layer with this id is stored. */
  public boolean contains(String id) {
    return id.equals(HOST) || Files.isRegularFile(layers.resolve(id).resolve(META));
  }

  /** The ids of the stored layers. */
  public List<String> ids() {
    List<String> ids = new ArrayList<>();
    try (var dirs = Files.list(layers)) {
      dirs.filter(d -> Files.isRegularFile(d.resolve(META))).forEach(d -> ids.add(d.getFileName().toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ids.sort(null);
    return ids;
  }

  /**
   * The host base layer: the host's {@code /usr}, {@code /etc}, {@code /bin}, {@code /sbin} and
   * {@code /lib*} bound read-only (symbolic links where the host has merged them into {@code /usr}), plus
   * empty {@code /root}, {@code /home}, {@code /tmp}, {@code /var/tmp}, {@code /opt}. For the common case of
   * tasks that run on the host's own operating system.
   */
  public Layer host() {
    Path dir = layers.resolve(HOST);
    Layer existing = read(HOST);
    if (existing != null) {
      return existing;
    }
    return create(HOST, staging -> {
      Path root = Files.createDirectory(staging.resolve("root"));
      List<String> binds = new ArrayList<>();
      for (String name : HOST_SYSTEM_DIRS) {
        Path host = Path.of("/", name);
        if (Files.isSymbolicLink(host)) {
          Files.createSymbolicLink(root.resolve(name), Files.readSymbolicLink(host));
        } else if (Files.isDirectory(host)) {
          Files.createDirectory(root.resolve(name));
          binds.add("/" + name);
        }
      }
      for (String name : HOST_EMPTY_DIRS) {
        Files.createDirectories(root.resolve(name));
      }
      return new Layer(HOST, Layer.Kind.HOST, dir.resolve("root"), binds, "host system directories, read-only");
    });
  }

  /**
   * A host directory used in place as a layer (nothing is copied). The directory must not change while
   * sandboxes use it. Its id is derived from its real path.
   */
  public Layer fromDirectory(Path directory) {
    Path real;
    try {
      real = directory.toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException("layer directory does not exist: " + directory, e);
    }
    if (!Files.isDirectory(real)) {
      throw new IllegalArgumentException("a layer must be a directory: " + directory);
    }
    String id = "dir-" + sha256(real.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    Layer existing = read(id);
    if (existing != null) {
      return existing;
    }
    return create(id, staging -> new Layer(id, Layer.Kind.DIRECTORY, real, List.of(), "host directory " + real));
  }

  /**
   * A rootfs tarball (plain or compressed, as GNU tar reads it) unpacked into the cache once; its id is
   * derived from the tarball's content, so the same tarball is never unpacked twice.
   */
  public Layer fromTarball(Path tarball) {
    if (!Files.isRegularFile(tarball)) {
      throw new IllegalArgumentException("layer tarball does not exist or is not a file: " + tarball);
    }
    String id = "tar-" + sha256(tarball).substring(0, 16);
    Layer existing = read(id);
    if (existing != null) {
      return existing;
    }
    return create(id, staging -> {
      Path root = Files.createDirectory(staging.resolve("root"));
      untar(tarball, root);
      return new Layer(id, Layer.Kind.TARBALL, layers.resolve(id).resolve("root"), List.of(),
          "rootfs tarball " + tarball.toAbsolutePath());
    });
  }

  /** Fills a new layer's private directory and returns the layer as it will be once in place. */
  @FunctionalInterface
  public interface Filler {
    Layer fill(Path staging) throws IOException;
  }

  /**
   * Adds a layer whose content a {@link Filler} makes in a private staging directory; the directory is
   * renamed into place only when the filler succeeds. When another thread or process adds the same id at
   * the same time, one of them does the work and the other gets its result.
   */
  public Layer create(String id, Filler filler) {
    checkId(id);
    Path lockFile = layers.resolve("." + id + ".lock").toAbsolutePath();
    // A lock, not a monitor: builds are long and may run on virtual threads, which a monitor would pin.
    ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, f -> new ReentrantLock());
    local.lock();
    try {
      return createLocked(id, lockFile, filler);
    } finally {
      local.unlock();
    }
  }

  private Layer createLocked(String id, Path lockFile, Filler filler) {
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      Layer existing = read(id);
      if (existing != null) {
        return existing;
      }
      Path staging = Files.createTempDirectory(layers, "." + id + ".staging-");
      // Temporary directories are private; a layer must be readable by whoever runs the sandboxes.
      Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
      try {
        Layer layer = filler.fill(staging);
        if (ownerUid >= 0 && layer.kind() != Layer.Kind.DIRECTORY && Files.isDirectory(staging.resolve("root"))) {
          chown(staging.resolve("root"), ownerUid, ownerGid);
        }
        write(staging.resolve(META), layer);
        Path target = layers.resolve(id);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          FileTrees.deleteRecursively(target); // a half-written layer without metadata, left by a crash
        }
        try {
          Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
          throw new IOException("cannot move the new layer into place at " + target, e);
        }
        return layer;
      } finally {
        FileTrees.deleteRecursively(staging);
      }
    } catch (IOException e) {
      throw new SandboxException("cannot add layer '" + id + "' to " + layers + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a stored layer (sandboxes using it must be closed). Returns whether it existed. */
  public boolean delete(String id) {
    checkId(id);
    Path dir = layers.resolve(id);
    try {
      boolean existed = Files.exists(dir);
      FileTrees.deleteRecursively(dir);
      return existed;
    } catch (IOException e) {
      throw new SandboxException("cannot delete layer " + dir, e);
    }
  }

  /** A hex SHA-256 of the bytes. */
  public static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  /** A hex SHA-256 of a file's content. */
  public static String sha256(Path file) {
    MessageDigest digest = digest();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new SandboxException("cannot read " + file + " to hash it", e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void checkId(String id) {
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException("a layer id is 1-128 letters, digits, '.', '_' or '-', starting with a "
          + "letter or digit: '" + id + "'");
    }
  }

  private @Nullable Layer read(String id) {
    Path meta = layers.resolve(id).resolve(META);
    if (!Files.isRegularFile(meta)) {
      return null;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(meta)) {
      p.load(in);
    } catch (IOException e) {
      throw new SandboxException("cannot read layer description " + meta, e);
    }
    String binds = p.getProperty("hostBinds", "");
    return new Layer(id, Layer.Kind.valueOf(p.getProperty("kind")), Path.of(p.getProperty("root")),
        binds.isEmpty() ? List.of() : List.of(binds.split(",")), p.getProperty("description", ""));
  }

  private static void write(Path meta, Layer layer) throws IOException {
    Properties p = new Properties();
    p.setProperty("kind", layer.kind().name());
    p.setProperty("root", layer.root().toString());
    p.setProperty("hostBinds", String.join(",", layer.hostBinds()));
    p.setProperty("description", layer.description());
    try (OutputStream out = Files.newOutputStream(meta)) {
      p.store(out, "swerl layer " + layer.id());
    }
  }

  /** Gives a whole tree to one owner, links included (not followed); set-id bits are dropped on the way. */
  private static void chown(Path root, int uid, int gid) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  private static void untar(Path tarball, Path into) throws IOException {
    HostTools.run(List.of("tar", "-x", "-f", tarball.toString(), "-C", into.toString(), "--numeric-owner",
        "--same-permissions"));
  }

}
