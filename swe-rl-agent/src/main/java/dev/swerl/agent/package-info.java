/**
 * Agents, datasets and rewards: the mini-swe-agent-compatible loop, OpenAI-compatible model clients,
 * SWE-bench and SWE-Gym task sources, eval-script and SWE-bench rewards, and the batch runner. The module
 * is a placeholder until those land (issues 5 and 6); it already pulls in the API and the sandboxes.
 */
@NullMarked
package dev.swerl.agent;

import org.jspecify.annotations.NullMarked;
