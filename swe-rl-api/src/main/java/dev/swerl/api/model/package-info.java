/**
 * Chat models: messages in, a completion out, with token ids and log-probabilities when the model can
 * give them (they are what a policy-gradient trainer learns from).
 */
@NullMarked
package dev.swerl.api.model;

import org.jspecify.annotations.NullMarked;
