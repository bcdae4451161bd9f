/**
 * Tasks: a repository at a commit, a problem statement, and how to tell whether a patch solves it, in the
 * shape of SWE-bench instances, with sources that read them from datasets.
 */
@NullMarked
package dev.swerl.api.task;

import org.jspecify.annotations.NullMarked;
