package io.nanolens.model;

import io.nanolens.NanolensException;

import java.util.Arrays;

/**
 * What runs at a {@link HookPoint} during a forward pass: it may read the activation (to record it for an SAE) or
 * change it in place (ablation, steering); the pass continues with whatever the array then holds.
 */
@FunctionalInterface
public interface Hook {

    /**
     * Visits the activation at {@code point}.
     *
     * @param act           the activation [rows, width] row-major in its first rows·width values (the array may be
     *                      longer); modifiable in place
     * @param rows          batch × tokens of this pass (row r is sequence r / tokens, token r % tokens)
     * @param width         values per row, {@link HookPoint#width}
     * @param startPosition position of the first token of each row group (non-zero when decoding with a KV cache)
     */
    void apply(HookPoint point, float[] act, int rows, int width, int startPosition);

    /** A hook that sets the activation to zero (zero ablation). */
    static Hook zeroAblate() {
        return (point, act, rows, width, start) -> Arrays.fill(act, 0, rows * width, 0f);
    }

    /**
     * A hook that adds {@code coefficient · direction} to every row (steering).
     *
     * @param direction one row, [width]
     */
    static Hook addToEveryRow(float[] direction, float coefficient) {
        float[] v = direction.clone();
        return (point, act, rows, width, start) -> {
            if (v.length != width) {
                throw new NanolensException("steering vector has " + v.length + " values but "
                        + point + " is " + width + " wide; use a vector of that width");
            }
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < width; c++) {
                    act[r * width + c] += coefficient * v[c];
                }
            }
        };
    }

    /** This hook followed by {@code next}. */
    default Hook andThen(Hook next) {
        return (point, act, rows, width, start) -> {
            apply(point, act, rows, width, start);
            next.apply(point, act, rows, width, start);
        };
    }
}
