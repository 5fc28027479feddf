/**
 * Layer 5, the report stage of the data walk (corpus → tokens → activations → SAE → report): feature analysis.
 * {@link io.nanolens.analysis.FeatureAnalysis} makes one streaming pass over a corpus through a model and an SAE and
 * keeps, per feature, only fixed-size structures (top contexts, quantile-band samples, a histogram, counters), then
 * adds what the weights alone tell (logit effects, decoder neighbours), ground-truth concept scores on TinyWorld and
 * contrastive scores between two text sets; the result is a {@link io.nanolens.explorer.FeatureAtlas} for the
 * explorer plus a {@link io.nanolens.analysis.ConceptTable}. Follows SAEDashboard's feature dashboards
 * (FORMATS.md §2.3).
 */
package io.nanolens.analysis;
