package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * Resource ceilings for a whole sandbox. Zero means no limit. Backends with
 * {@link SandboxCapability#RESOURCE_LIMITS} enforce them; others record them and warn once.
 *
 * <pre>{@code
 * ResourceLimits limits = ResourceLimits.NONE.withMemoryBytes(4L << 30).withMaxProcesses(512).withCpus(2);
 * }</pre>
 *
 * @param memoryBytes the most memory all processes together may use
 * @param maxProcesses the most processes (and threads) alive at once
 * @param cpus the CPU time share, in cores (1.5 is one and a half cores)
 */
@API(status = STABLE)
public record ResourceLimits(long memoryBytes, int maxProcesses, double cpus) {

  /** No limits at all. */
  public static final ResourceLimits NONE = new ResourceLimits(0, 0, 0);

  public ResourceLimits {
    if (memoryBytes < 0 || maxProcesses < 0 || cpus < 0 || Double.isNaN(cpus)) {
      throw new IllegalArgumentException("resource limits must be zero (no limit) or positive: memoryBytes="
          + memoryBytes + ", maxProcesses=" + maxProcesses + ", cpus=" + cpus);
    }
  }

  public ResourceLimits withMemoryBytes(long value) {
    return new ResourceLimits(value, maxProcesses, cpus);
  }

  public ResourceLimits withMaxProcesses(int value) {
    return new ResourceLimits(memoryBytes, value, cpus);
  }

  public ResourceLimits withCpus(double value) {
    return new ResourceLimits(memoryBytes, maxProcesses, value);
  }

  /** Whether any limit is set. */
  public boolean isLimited() {
    return memoryBytes > 0 || maxProcesses > 0 || cpus > 0;
  }
}
