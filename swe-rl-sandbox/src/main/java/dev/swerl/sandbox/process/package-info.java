/**
 * Running host processes for sandboxes: each command in its own session, its output read into bounded
 * buffers, and the whole process tree killed on timeout or close.
 */
@NullMarked
package dev.swerl.sandbox.process;

import org.jspecify.annotations.NullMarked;
