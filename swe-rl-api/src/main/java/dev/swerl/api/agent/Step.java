package dev.swerl.api.agent;

import static org.apiguardian.api.API.Status.STABLE;

import dev.swerl.api.model.ChatCompletion;
import dev.swerl.api.sandbox.ExecResult;
import java.time.Duration;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One turn of an agent: what the model said, the action parsed from it, and what running it gave.
 *
 * @param index 0-based turn number
 * @param completion the model's reply, with token data when the model reports it
 * @param action the command parsed from the reply, or {@code null} when the reply held no single action
 * @param result what running the action returned, or {@code null} when nothing ran
 * @param observation the text sent back to the model (observation, format error or timeout message)
 * @param modelTime time spent waiting for the model
 * @param execTime time spent running the action
 */
@API(status = STABLE)
public record Step(
    int index,
    ChatCompletion completion,
    @Nullable String action,
    @Nullable ExecResult result,
    String observation,
    Duration modelTime,
    Duration execTime) {}
