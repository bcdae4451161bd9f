/**
 * Environment layers: read-only directory trees (a base system, a toolchain, dependencies, a repository at
 * its base commit) that sandboxes stack under a private writable layer, cached on disk and shared.
 */
@NullMarked
package dev.swerl.sandbox.layers;

import org.jspecify.annotations.NullMarked;
