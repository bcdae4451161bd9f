package dev.swerl.api.model;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Locale;
import org.apiguardian.api.API;

/** Who speaks in a chat message; {@link #wireName()} is the OpenAI-compatible spelling. */
@API(status = STABLE)
public enum Role {
  SYSTEM,
  USER,
  ASSISTANT,
  TOOL;

  /** {@code "system"}, {@code "user"}, {@code "assistant"} or {@code "tool"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role for a wire name, ignoring case. */
  public static Role fromWireName(String name) {
    for (Role role : values()) {
      if (role.wireName().equalsIgnoreCase(name)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown chat role '" + name + "': expected system, user, assistant or tool");
  }
}
