/**
 * Runnable programs that assemble swe-rl pipelines, written to be copied: start with
 * {@link dev.swerl.samples.Quickstart}.
 */
@NullMarked
package dev.swerl.samples;

import org.jspecify.annotations.NullMarked;
