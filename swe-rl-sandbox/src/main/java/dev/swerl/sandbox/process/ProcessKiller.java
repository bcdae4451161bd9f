package dev.swerl.sandbox.process;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Kills a set of host processes for good: every member of some process groups, every process a
 * predicate picks (for example by a marker in its environment), and the descendants of each,
 * repeating until a read of {@code /proc} finds none alive (a process may fork while its siblings die).
 */
public final class ProcessKiller {
  private static final int MAX_ROUNDS = 50;
  private static final long SETTLE_NANOS = 2_000_000_000L;

  private ProcessKiller() {}

  /**
   * Kills the members of {@code groups} (a group is signalled as a whole first, which no fork can
   * race), every live process that {@code belongs} accepts or whose group or session is one of
   * {@code groups}, and all their descendants.
   *
   * @return how many processes were still alive after the last round (0 on success)
   */
  public static int killAll(Set<Long> groups, Predicate<ProcTable.Entry> belongs) {
    for (long group : groups) {
      Signals.killGroup(group);
    }
    long self = ProcessHandle.current().pid();
    Predicate<ProcTable.Entry> target = e -> e.pid() != self && !e.zombie()
        && (belongs.test(e) || groups.contains(e.pgid()) || groups.contains(e.session()));
    for (int round = 0; round < MAX_ROUNDS; round++) {
      List<ProcTable.Entry> found = ProcTable.find(target);
      if (found.isEmpty()) {
        return 0;
      }
      Set<Long> pids = new HashSet<>();
      for (ProcTable.Entry entry : found) {
        pids.add(entry.pid());
        ProcessHandle.of(entry.pid()).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
      }
      pids.remove(self);
      pids.forEach(Signals::kill);
      awaitDead(pids);
    }
    return ProcTable.find(target).size();
  }

  /** Waits (briefly) until none of the processes runs any more; zombies count as dead. */
  private static void awaitDead(Set<Long> pids) {
    long deadline = System.nanoTime() + SETTLE_NANOS;
    for (long pid : pids) {
      while (isRunning(pid) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static boolean isRunning(long pid) {
    ProcTable.Entry entry = ProcTable.get(pid);
    return entry != null && !entry.zombie();
  }
}
