/**
 * Patches in sandboxes: the submission diff of a repository against its base commit, and applying a patch
 * from a file, for every backend.
 */
@NullMarked
package dev.swerl.sandbox.git;

import org.jspecify.annotations.NullMarked;
