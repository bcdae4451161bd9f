/**
 * Sandboxes: isolated places where an agent's commands run and a patch is tested.
 *
 * <p>A {@link dev.swerl.api.sandbox.SandboxBackend} (found through {@link java.util.ServiceLoader}, see
 * {@link dev.swerl.api.sandbox.SandboxBackends}) creates a {@link dev.swerl.api.sandbox.Sandbox} from a
 * {@link dev.swerl.api.sandbox.SandboxSpec}; commands go in as {@link dev.swerl.api.sandbox.ExecRequest}s
 * and come back as {@link dev.swerl.api.sandbox.ExecResult}s.
 */
@NullMarked
package dev.swerl.api.sandbox;

import org.jspecify.annotations.NullMarked;
