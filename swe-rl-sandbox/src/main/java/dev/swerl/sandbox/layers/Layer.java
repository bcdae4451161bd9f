package dev.swerl.sandbox.layers;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.nio.file.Path;
import java.util.List;
import org.apiguardian.api.API;

/**
 * One read-only layer of a sandbox's root file system.
 *
 * @param id the name sandboxes refer to it by (in {@code SandboxSpec.layers()}); content-derived where the
 *     content is known (tarballs, built layers)
 * @param kind where it came from
 * @param root the directory that is stacked as an overlay lower layer
 * @param hostBinds host directories bind-mounted read-only at the same path inside the sandbox (the host
 *     base layer); empty for other kinds
 * @param description what it holds, for people
 */
@API(status = EXPERIMENTAL)
public record Layer(String id, Kind kind, Path root, List<String> hostBinds, String description) {

  /** Where a layer came from. */
  public enum Kind {
    /** The host's own system directories, bound read-only. */
    HOST,
    /** A host directory used in place; it must not change while sandboxes use it. */
    DIRECTORY,
    /** Unpacked from a rootfs tarball. */
    TARBALL,
    /** The changes a recipe of setup commands made on top of parent layers. */
    BUILT,
    /** Unpacked from a container image layer. */
    IMAGE
  }

  public Layer {
    hostBinds = List.copyOf(hostBinds);
  }
}
