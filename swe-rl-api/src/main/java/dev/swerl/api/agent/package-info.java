/**
 * Agent loops: a model talks, the sandbox answers, until the agent submits a patch or a limit ends the
 * run; the whole exchange is kept as a {@link dev.swerl.api.agent.Trajectory}.
 */
@NullMarked
package dev.swerl.api.agent;

import org.jspecify.annotations.NullMarked;
