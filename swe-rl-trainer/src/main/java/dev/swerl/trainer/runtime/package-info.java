/**
 * The libtorch runtime as the trainer sees it: the native library loaded once, how many threads it
 * computes with, and whether tensors go on the CPU or a CUDA device.
 */
@NullMarked
package dev.swerl.trainer.runtime;

import org.jspecify.annotations.NullMarked;
