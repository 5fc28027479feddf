/**
 * Benchmarks behind {@code ./nanolens bench …}: each measures nanolens and a reference everyone uses side by
 * side, alternately in one run, and reports the ratio (conventions: shared/bench/README.md).
 */
package io.nanolens.bench;
