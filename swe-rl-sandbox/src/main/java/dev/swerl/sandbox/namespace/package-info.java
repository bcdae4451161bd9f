/**
 * The {@code namespace} backend: container-free sandboxes made of Linux namespaces around an overlay root
 * of cached layers, started in milliseconds without a daemon.
 */
@NullMarked
package dev.swerl.sandbox.namespace;

import org.jspecify.annotations.NullMarked;
