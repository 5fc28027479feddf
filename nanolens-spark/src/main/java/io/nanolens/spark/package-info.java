/**
 * The data walk's heavy stages as Apache Spark jobs, in a module of their own so the core and the CLI never carry
 * Spark's classpath: {@link io.nanolens.spark.SparkHarvest} (corpus → tokens → activation shards),
 * {@link io.nanolens.spark.SparkAnalysis} (→ SAE → per-feature statistics, merged exactly) and
 * {@link io.nanolens.spark.SparkSweep} (activations → SAEs, one task each), on a cluster or an embedded local[*];
 * {@link io.nanolens.spark.StreamPlan} lines every partition's work up with one pass over the whole corpus, so the
 * results do not depend on how the corpus was split. {@link io.nanolens.spark.SparkMain} is the jar's entry point.
 */
package io.nanolens.spark;
