/** Host-side file trees for sandboxes: copying with modes and links kept, and deleting whatever a sandbox left. */
@NullMarked
package dev.swerl.sandbox.files;

import org.jspecify.annotations.NullMarked;
