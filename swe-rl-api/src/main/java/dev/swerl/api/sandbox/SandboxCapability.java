package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A guarantee a backend makes beyond running commands; a pipeline that needs one can check for it,
 * and the contract test kit tests exactly the guarantees a backend claims.
 */
@API(status = STABLE)
public enum SandboxCapability {
  /** Files written outside the working directory are private to the sandbox (own root file system). */
  FILESYSTEM_ISOLATION,
  /** Processes of one sandbox cannot see or signal those of another (own PID namespace or container). */
  PROCESS_ISOLATION,
  /** With {@link SandboxSpec#network()} off, the sandbox has no network but loopback. */
  NETWORK_ISOLATION,
  /** {@link SandboxSpec#limits()} are enforced by the kernel (cgroups), not only recorded. */
  RESOURCE_LIMITS
}
