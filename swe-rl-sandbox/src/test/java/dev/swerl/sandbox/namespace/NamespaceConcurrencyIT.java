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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Limits on live sandboxes make callers wait for a slot instead of failing, up to their start-up timeout. */
class NamespaceConcurrencyIT {
  private Path cache;

  @BeforeEach
  void createCache() throws IOException {
    cache = Files.createTempDirectory(Path.of("/var/tmp"), "swerl-ns-concurrency-");
  }

  @AfterEach
  void deleteCache() throws IOException {
    FileTrees.deleteRecursively(cache);
  }

  @Test
  void aThirdSandboxWaitsForOneOfTwoToClose() throws Exception {
    NamespaceSandboxBackend backend = new NamespaceSandboxBackend(cache, 2, 2);
    assumeTrue(backend.availability().available(), () -> backend.availability().reason());
    Sandbox first = backend.create(SandboxSpec.builder().build());
    Sandbox second = backend.create(SandboxSpec.builder().build());
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      CompletableFuture<Sandbox> third = CompletableFuture.supplyAsync(() -> backend.create(SandboxSpec.builder().build()), pool);
      Thread.sleep(1000);
      assertFalse(third.isDone(), "no slot is free, so the third must wait");
      first.close();
      try (Sandbox started = third.get(60, TimeUnit.SECONDS)) {
        assertEquals("ok\n", started.exec("echo ok").stdoutText());
      }
    } finally {
      first.close();
      second.close();
    }
  }

  @Test
  void waitingEndsAtTheStartupTimeoutWithAClearMessage() {
    NamespaceSandboxBackend backend = new NamespaceSandboxBackend(cache, 1, 1);
    assumeTrue(backend.availability().available(), () -> backend.availability().reason());
    try (Sandbox only = backend.create(SandboxSpec.builder().build())) {
      SandboxException e = assertThrows(SandboxException.class,
          () -> backend.create(SandboxSpec.builder().startupTimeout(Duration.ofMillis(500)).build()));
      assertTrue(e.getMessage().contains("timed out waiting for a live-sandbox slot"), e.getMessage());
      assertTrue(only.exec("true").succeeded());
    }
  }

  @Test
  void manySandboxesStartConcurrentlyUnderTheStartupLimit() throws Exception {
    NamespaceSandboxBackend backend = new NamespaceSandboxBackend(cache, 64, 3);
    assumeTrue(backend.availability().available(), () -> backend.availability().reason());
    List<Sandbox> sandboxes = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<CompletableFuture<Sandbox>> starts = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        starts.add(CompletableFuture.supplyAsync(() -> backend.create(SandboxSpec.builder().build()), pool));
      }
      for (CompletableFuture<Sandbox> start : starts) {
        sandboxes.add(start.get(120, TimeUnit.SECONDS));
      }
      assertEquals(24, sandboxes.stream().map(Sandbox::id).distinct().count());
      for (Sandbox sandbox : sandboxes) {
        assertEquals("1\n", sandbox.exec("ps -o pid= -p 1 | tr -d ' '").stdoutText(), "each has its own pid 1");
      }
    } finally {
      sandboxes.forEach(Sandbox::close);
    }
    try (var runs = Files.list(cache.resolve("run"))) {
      assertEquals(0, runs.count());
    }
  }
}
