/**
 * The research studies' core, the last stage of the data walk (corpus → tokens → activations → SAE → report):
 * what {@code ./nanolens study} computes beyond training and analysis ({@link io.nanolens.study.CheckpointScores}
 * over an SAE's training checkpoints, {@link io.nanolens.study.FeatureMap} from decoder clusters and principal
 * components) and how it is drawn into self-contained reports (inline SVG plots and heat maps, tables written as
 * Markdown and HTML from the same cells, one HTML page with no script and nothing fetched).
 */
package io.nanolens.study;
