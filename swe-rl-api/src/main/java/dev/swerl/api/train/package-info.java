/**
 * Training: groups of rollouts of the same task go to a {@link dev.swerl.api.train.PolicyTrainer}, which
 * updates the policy and reports what the step did.
 */
@NullMarked
package dev.swerl.api.train;

import org.jspecify.annotations.NullMarked;
