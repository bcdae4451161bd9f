/**
 * Rewards: a patch applied to a fresh copy of a task's environment, tests run, and a number that says how
 * well it did, kept apart from failures of the machinery itself.
 */
@NullMarked
package dev.swerl.api.reward;

import org.jspecify.annotations.NullMarked;
