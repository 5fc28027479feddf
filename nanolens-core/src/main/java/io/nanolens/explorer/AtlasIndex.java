package io.nanolens.explorer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the explorer's index page needs: the atlas header and, per feature, only the columns of the feature table,
 * stored column by column (one array per field) so that 16k features load as a few compact arrays instead of 16k
 * objects. The static explorer writes it as {@code data/atlas.js}; a live server serves the same JSON.
 *
 * @param modelName      as in {@link FeatureAtlas}
 * @param hookName       as in {@link FeatureAtlas}
 * @param saeName        as in {@link FeatureAtlas}
 * @param architecture   as in {@link FeatureAtlas}
 * @param dSae           as in {@link FeatureAtlas}
 * @param tokensAnalysed as in {@link FeatureAtlas}
 * @param conceptNames   as in {@link FeatureAtlas}
 * @param columns        the feature table, one row per card in index order
 */
public record AtlasIndex(String modelName, String hookName, String saeName, String architecture, int dSae,
                         long tokensAnalysed, List<String> conceptNames, Columns columns) {

    /**
     * The feature table by column; row {@code r} describes card {@code r} of the atlas.
     *
     * @param index         [n] feature indices, increasing
     * @param label         [n] labels
     * @param density       [n] firing densities in [0, 1]
     * @param maxActivation [n] largest activations
     * @param concept       [n] position of the best concept in {@code conceptNames}, or -1 when there is none
     * @param f1            [n] F1 of the best concept, or -1 when there is none
     */
    public record Columns(int[] index, List<String> label, float[] density, float[] maxActivation, int[] concept,
                          float[] f1) {
        public Columns {
            label = List.copyOf(label);
            int n = index.length;
            if (label.size() != n || density.length != n || maxActivation.length != n || concept.length != n
                    || f1.length != n) {
                throw new IllegalArgumentException("every column needs " + n + " rows");
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Columns that && Arrays.equals(index, that.index) && label.equals(that.label)
                    && Arrays.equals(density, that.density) && Arrays.equals(maxActivation, that.maxActivation)
                    && Arrays.equals(concept, that.concept) && Arrays.equals(f1, that.f1);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(index), label, Arrays.hashCode(density),
                    Arrays.hashCode(maxActivation), Arrays.hashCode(concept), Arrays.hashCode(f1));
        }

        @Override
        public String toString() {
            return "Columns[" + index.length + " rows]";
        }
    }

    public AtlasIndex {
        conceptNames = List.copyOf(conceptNames);
        Objects.requireNonNull(columns, "columns");
    }

    /**
     * The index of every card in {@code atlas}.
     *
     * @throws IllegalArgumentException if the cards are out of order, outside [0, d_sae) or name an unknown concept
     */
    public static AtlasIndex of(FeatureAtlas atlas) {
        Collector collector = new Collector(atlas);
        atlas.features().forEach(collector::add);
        return collector.finish();
    }

    /** Fills the columns one card at a time, checking each card against the atlas; for a single pass over cards. */
    static final class Collector {
        private final FeatureAtlas atlas;
        private final int[] index;
        private final List<String> label;
        private final float[] density;
        private final float[] maxActivation;
        private final int[] concept;
        private final float[] f1;
        private int rows;

        Collector(FeatureAtlas atlas) {
            this.atlas = atlas;
            int n = atlas.features().size();
            index = new int[n];
            label = new ArrayList<>(n);
            density = new float[n];
            maxActivation = new float[n];
            concept = new int[n];
            f1 = new float[n];
        }

        void add(FeatureCard card) {
            if (rows == index.length) {
                throw new IllegalArgumentException("the atlas yielded more cards than its size " + index.length);
            }
            if (card.index() >= atlas.dSae()) {
                throw new IllegalArgumentException("feature index " + card.index() + " is outside [0, d_sae = "
                        + atlas.dSae() + ")");
            }
            if (rows > 0 && card.index() <= index[rows - 1]) {
                throw new IllegalArgumentException("cards must come in increasing index order: feature "
                        + card.index() + " follows feature " + index[rows - 1]);
            }
            ConceptMatch match = card.bestConcept();
            int c = match == null ? -1 : atlas.conceptNames().indexOf(match.concept());
            if (match != null && c < 0) {
                throw new IllegalArgumentException("feature " + card.index() + " matches concept '"
                        + match.concept() + "', which is not one of " + atlas.conceptNames());
            }
            index[rows] = card.index();
            label.add(card.label());
            density[rows] = (float) card.density();
            maxActivation[rows] = card.maxActivation();
            concept[rows] = c;
            f1[rows] = match == null ? -1 : (float) match.f1();
            rows++;
        }

        AtlasIndex finish() {
            if (rows != index.length) {
                throw new IllegalArgumentException("the atlas yielded " + rows + " cards but its size is "
                        + index.length);
            }
            return new AtlasIndex(atlas.modelName(), atlas.hookName(), atlas.saeName(), atlas.architecture(),
                    atlas.dSae(), atlas.tokensAnalysed(), atlas.conceptNames(),
                    new Columns(index, label, density, maxActivation, concept, f1));
        }
    }
}
