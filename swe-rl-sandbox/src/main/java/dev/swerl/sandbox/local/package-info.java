/**
 * The {@code local} backend: commands run directly on the host in a private temporary directory, with
 * no isolation at all. For development, for tests that need none, and as the backend of last resort.
 */
@NullMarked
package dev.swerl.sandbox.local;

import org.jspecify.annotations.NullMarked;
