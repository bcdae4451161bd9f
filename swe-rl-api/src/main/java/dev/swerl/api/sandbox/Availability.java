package dev.swerl.api.sandbox;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * Whether a backend can work on this host, and if not, what the host lacks, in words a user can act on
 * (for example "the docker CLI is not on PATH: install docker.io or set DOCKER_HOST").
 */
@API(status = STABLE)
public record Availability(boolean available, String reason) {

  /** The backend can work here. */
  public static final Availability AVAILABLE = new Availability(true, "available");

  public Availability {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("an availability needs a reason");
    }
  }

  /** The backend cannot work here, for the reason given (what is missing, and what to do). */
  public static Availability unavailable(String reason) {
    return new Availability(false, reason);
  }
}
