package dev.swerl.sandbox.layers;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apiguardian.api.API;

/**
 * How to build a layer: start a sandbox on the parent layers, run the setup commands in order, and keep
 * what they changed as a new layer. The layer's id is derived from everything here, so the same recipe is
 * built once and then reused from the cache.
 *
 * <pre>{@code
 * LayerRecipe repo = LayerRecipe.of(List.of(base.id()),
 *     "git clone -q /src/calc /testbed && cd /testbed && git checkout -q 4f2a9c1",
 *     "cd /testbed && python -m venv .venv && .venv/bin/pip install -q -e .");
 * Layer layer = backend.buildLayer(repo);
 * }</pre>
 *
 * @param parents the layer ids to build on, lowest first (empty for the host base layer)
 * @param commands shell commands, each run with {@code shell} in a fresh process; the build stops at the
 *     first that exits non-zero
 * @param shell the program and flags that run each command, for example {@code sh -c}
 * @param env environment variables for the commands
 * @param network whether the commands may use the network (to download dependencies)
 * @param commandTimeout the longest one command may run
 */
@API(status = EXPERIMENTAL)
public record LayerRecipe(
    List<String> parents, List<String> commands, List<String> shell, Map<String, String> env, boolean network,
    Duration commandTimeout) {

  public LayerRecipe {
    parents = List.copyOf(parents);
    commands = List.copyOf(commands);
    shell = List.copyOf(shell);
    env = Map.copyOf(env);
    if (commands.isEmpty()) {
      throw new IllegalArgumentException("a layer recipe needs at least one command");
    }
    if (shell.isEmpty()) {
      throw new IllegalArgumentException("a layer recipe needs a shell, for example [sh, -c]");
    }
  }

  /** A recipe with {@code sh -c}, no extra environment, no network and a 30-minute limit per command. */
  public static LayerRecipe of(List<String> parents, String... commands) {
    return new LayerRecipe(parents, List.of(commands), List.of("sh", "-c"), Map.of(), false, Duration.ofMinutes(30));
  }

  /** The id of the layer this recipe makes: {@code built-} and a hash of every field but the timeout. */
  public String layerId() {
    StringBuilder key = new StringBuilder("swerl-layer-recipe-v1\n");
    parents.forEach(p -> key.append("parent\0").append(p).append('\n'));
    shell.forEach(s -> key.append("shell\0").append(s).append('\n'));
    new TreeMap<>(env).forEach((k, v) -> key.append("env\0").append(k).append('\0').append(v).append('\n'));
    key.append("network\0").append(network).append('\n');
    commands.forEach(c -> key.append("command\0").append(c.length()).append('\0').append(c).append('\n'));
    return "built-" + LayerStore.sha256(key.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 20);
  }
}
