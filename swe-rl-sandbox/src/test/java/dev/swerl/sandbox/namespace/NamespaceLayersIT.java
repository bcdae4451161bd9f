package dev.swerl.sandbox.namespace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.swerl.api.sandbox.Sandbox;
import dev.swerl.api.sandbox.SandboxException;
import dev.swerl.api.sandbox.SandboxSpec;
import dev.swerl.sandbox.files.FileTrees;
import dev.swerl.sandbox.layers.Layer;
import dev.swerl.sandbox.layers.LayerRecipe;
import dev.swerl.sandbox.testing.BusyboxRootfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Layers from tarballs, directories and recipes, stacked as overlay lower layers. */
class NamespaceLayersIT {
  private static Path work;
  private static NamespaceSandboxBackend backend;
  private static Layer busybox;
  private static Layer data;

  @BeforeAll
  static void setUp() throws Exception {
    assumeTrue(BusyboxRootfs.available(), BusyboxRootfs.unavailableReason());
    work = Files.createTempDirectory(Path.of("/var/tmp"), "swerl-ns-layers-");
    // The sandbox user must pass through to the cache inside it.
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
    backend = new NamespaceSandboxBackend(work.resolve("cache"));
    assumeTrue(backend.availability().available(), () -> "namespace backend unavailable: " + backend.availability().reason());
    busybox = backend.layers().fromTarball(BusyboxRootfs.tarball(work, work.resolve("busybox.tar")));
    Path dataDir = Files.createDirectories(work.resolve("data-layer/data"));
    Files.writeString(dataDir.resolve("old.txt"), "old");
    // A directory layer is used in place: root inside may change its files only if the sandbox user owns them.
    for (Path path : List.of(dataDir.getParent(), dataDir, dataDir.resolve("old.txt"))) {
      Files.setAttribute(path, "unix:uid", backend.sandboxUid());
      Files.setAttribute(path, "unix:gid", backend.sandboxUid());
    }
    data = backend.layers().fromDirectory(work.resolve("data-layer"));
  }

  @AfterAll
  static void tearDown() throws IOException {
    if (work != null) {
      FileTrees.deleteRecursively(work);
    }
  }

  private static Sandbox open(Layer... layers) {
    return backend.create(SandboxSpec.builder().layers(java.util.Arrays.stream(layers).map(Layer::id).toList())
        .shell("sh", "-c").build());
  }

  @Test
  void tarballLayerIsUnpackedOnceAndKeyedByContent() throws Exception {
    FileTime unpacked = Files.getLastModifiedTime(busybox.root());
    Layer again = backend.layers().fromTarball(work.resolve("busybox.tar"));
    assertEquals(busybox, again);
    assertEquals(unpacked, Files.getLastModifiedTime(again.root()), "the same tarball is not unpacked twice");
    assertTrue(busybox.id().startsWith("tar-"));
    try (Sandbox sandbox = open(busybox)) {
      assertEquals("root:x:0:0:root:/root:/bin/sh\n", sandbox.readString("/etc/passwd"));
    }
  }

  @Test
  void directoryLayerIsUsedInPlaceAndStacks() throws IOException {
    try (Sandbox sandbox = open(busybox, data)) {
      assertEquals("old", sandbox.exec("cat /data/old.txt").stdoutText());
      assertEquals(0, sandbox.exec("echo changed > /data/old.txt && rm -rf /data").exitCode());
    }
    assertEquals("old", Files.readString(work.resolve("data-layer/data/old.txt")), "a lower layer never changes");
  }

  @Test
  void recipeKeepsChangesDeletionsAndOpaqueDirectories() {
    LayerRecipe recipe = LayerRecipe.of(List.of(busybox.id(), data.id()),
        "mkdir -p /testbed && echo v1 > /testbed/file",
        "rm /etc/group",
        "rm -rf /data && mkdir /data && echo new > /data/new.txt");
    Layer built = backend.buildLayer(recipe);
    assertEquals(recipe.layerId(), built.id());
    assertEquals(Layer.Kind.BUILT, built.kind());
    assertFalse(Files.exists(built.root().resolve("proc")), "mount points of the build sandbox are not kept");

    try (Sandbox sandbox = open(busybox, data, built)) {
      assertEquals("v1\n", sandbox.readString("/testbed/file"));
      assertEquals(1, sandbox.exec("test -e /etc/group").exitCode(), "a file deleted by the recipe stays deleted");
      assertEquals("new.txt\n", sandbox.exec("ls /data").stdoutText(), "a directory the recipe replaced hides the old one");
    }
    try (Sandbox sandbox = open(busybox, data)) {
      assertEquals("old.txt\n", sandbox.exec("ls /data").stdoutText(), "the parents are untouched");
    }
  }

  @Test
  void aRecipeIsBuiltOnceEvenWhenAskedConcurrently() throws Exception {
    LayerRecipe recipe = LayerRecipe.of(List.of(busybox.id()), "echo $$ > /built-by");
    try (ExecutorService pool = Executors.newFixedThreadPool(3)) {
      List<CompletableFuture<Layer>> builds = List.of(
          CompletableFuture.supplyAsync(() -> backend.buildLayer(recipe), pool),
          CompletableFuture.supplyAsync(() -> backend.buildLayer(recipe), pool),
          CompletableFuture.supplyAsync(() -> backend.buildLayer(recipe), pool));
      Layer first = builds.get(0).get();
      for (CompletableFuture<Layer> build : builds) {
        assertEquals(first, build.get());
      }
    }
    FileTime built = Files.getLastModifiedTime(backend.layers().get(recipe.layerId()).root().resolve("built-by"));
    backend.buildLayer(recipe);
    assertEquals(built, Files.getLastModifiedTime(backend.layers().get(recipe.layerId()).root().resolve("built-by")));
  }

  @Test
  void aFailingRecipeSaysWhichCommandAndStoresNothing() throws IOException {
    LayerRecipe recipe = LayerRecipe.of(List.of(busybox.id()), "echo fine", "echo broken-step >&2; exit 3");
    SandboxException e = assertThrows(SandboxException.class, () -> backend.buildLayer(recipe));
    assertTrue(e.getMessage().contains("exited 3") && e.getMessage().contains("broken-step")
        && e.getMessage().contains("command=echo broken-step"), e.getMessage());
    assertFalse(backend.layers().contains(recipe.layerId()));
    try (var entries = Files.list(backend.layers().directory())) {
      assertTrue(entries.noneMatch(p -> p.getFileName().toString().contains("staging")), "no staging directory is left");
    }
    try (var runs = Files.list(backend.cacheDirectory().resolve("run"))) {
      assertEquals(0, runs.count(), "the build sandbox is gone");
    }
  }

  @Test
  void unknownLayersAreNamedInTheError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> backend.create(SandboxSpec.builder().layers(List.of("no-such-layer")).build()));
    assertTrue(e.getMessage().contains("no-such-layer") && e.getMessage().contains(busybox.id()), e.getMessage());
  }
}
