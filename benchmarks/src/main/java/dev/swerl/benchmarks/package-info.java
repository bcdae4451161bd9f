/**
 * JMH benchmarks that measure what swe-rl's sandboxes cost against the bare JDK doing the same work.
 */
@NullMarked
package dev.swerl.benchmarks;

import org.jspecify.annotations.NullMarked;
