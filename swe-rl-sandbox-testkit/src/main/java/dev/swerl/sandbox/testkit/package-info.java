/**
 * The sandbox contract test kit: extend {@link dev.swerl.sandbox.testkit.SandboxContract} in a JUnit 5
 * test to prove a {@link dev.swerl.api.sandbox.SandboxBackend} keeps every rule of
 * {@link dev.swerl.api.sandbox.Sandbox}.
 */
@NullMarked
package dev.swerl.sandbox.testkit;

import org.jspecify.annotations.NullMarked;
