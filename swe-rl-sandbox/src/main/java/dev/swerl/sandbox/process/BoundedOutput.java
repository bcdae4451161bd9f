package dev.swerl.sandbox.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drains one output stream of a process on its own thread, keeping at most {@code limit} bytes and
 * counting the rest, so a process that prints gigabytes never blocks on a full pipe and never fills
 * the heap.
 *
 * <p>{@link #freeze()} takes the result; the thread then goes on draining (and dropping) until the
 * stream ends, which happens when the last process holding the pipe dies.
 */
final class BoundedOutput implements Runnable {
  private static final int CHUNK = 64 * 1024;

  private final InputStream in;
  private final long limit;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final CountDownLatch ended = new CountDownLatch(1);
  private long total;
  private boolean frozen;

  BoundedOutput(InputStream in, long limit) {
    this.in = in;
    this.limit = limit;
  }

  @Override
  public void run() {
    byte[] buffer = new byte[CHUNK];
    try (in) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        synchronized (this) {
          if (frozen) {
            continue;
          }
          long room = limit - kept.size();
          if (room > 0) {
            kept.write(buffer, 0, (int) Math.min(room, n));
          }
          total += n;
        }
      }
    } catch (IOException e) {
      // The stream was closed under us (the process and its pipe are gone): what was read is the output.
    } finally {
      ended.countDown();
    }
  }

  /** Waits up to {@code millis} for the end of the stream; returns whether it ended. */
  boolean awaitEnd(long millis) throws InterruptedException {
    return ended.await(millis, TimeUnit.MILLISECONDS);
  }

  /** Stops recording and returns what was kept and how many bytes were seen. */
  synchronized Captured freeze() {
    frozen = true;
    return new Captured(kept.toByteArray(), total);
  }

  record Captured(byte[] bytes, long total) {}
}
