/**
 * Layer 5 beside eval and analysis, the end of the data walk (corpus → tokens → activations → SAE → report): the
 * feature explorer. The analysis pass fills a {@link io.nanolens.explorer.FeatureAtlas} (a header and one
 * {@link io.nanolens.explorer.FeatureCard} per feature: contexts, quantile samples, histogram, logit effects,
 * neighbours, label and concept F1, after SAEDashboard's dashboards); {@link io.nanolens.explorer.StaticExplorer}
 * writes it as pages that open from {@code file://} with no server, and {@link io.nanolens.explorer.AtlasIndex} is
 * the compact feature table the index page loads. The pages (resources of this package, plain HTML, CSS and
 * JavaScript) read their data through a pluggable source, so a live server can serve the same pages from a JSON
 * API. Uses {@code io.nanolens.io} and Jackson only, so the analysis pass can fill it and the command line and the
 * live server can serve it.
 */
package io.nanolens.explorer;
