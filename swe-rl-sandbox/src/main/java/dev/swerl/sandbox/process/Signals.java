package dev.swerl.sandbox.process;

import jnr.constants.platform.Signal;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** Sends signals to processes and process groups, which {@link ProcessHandle} cannot do for groups. */
final class Signals {
  private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

  private Signals() {}

  /** SIGKILL to one process; returns whether it was sent (false when the process is gone). */
  static boolean kill(long pid) {
    return POSIX.kill((int) pid, Signal.SIGKILL.intValue()) == 0;
  }

  /** SIGKILL to every member of a process group; returns whether the group had any member. */
  static boolean killGroup(long pgid) {
    return POSIX.kill((int) -pgid, Signal.SIGKILL.intValue()) == 0;
  }
}
