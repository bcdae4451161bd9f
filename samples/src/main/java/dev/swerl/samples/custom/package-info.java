/**
 * A custom sandbox backend, start to finish: {@link dev.swerl.samples.custom.AuditingSandboxBackend}
 * wraps another backend and logs every command, registers through {@link java.util.ServiceLoader}, is
 * selected by name, and proves itself with the contract test kit.
 */
@NullMarked
package dev.swerl.samples.custom;

import org.jspecify.annotations.NullMarked;
