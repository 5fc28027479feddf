package io.nanolens.steer;

import io.nanolens.NanolensException;

import java.util.Locale;

/**
 * One change to one SAE feature while steering: {@code SCALE} multiplies its activation by {@code value},
 * {@code ADD} adds {@code value}, {@code CLAMP} sets it to {@code value} (also where it was silent), {@code ABLATE}
 * sets it to zero. It applies at every position, or only at positions [{@code from}, {@code to}) of the sequence
 * (position 0 is the BOS token).
 *
 * @param sae     the name the SAE was attached under
 * @param feature the feature's index
 * @param mode    what to do to it
 * @param value   the factor, amount or clamp value (ignored by ABLATE)
 * @param from    first position edited
 * @param to      one past the last position edited ({@link Integer#MAX_VALUE} = to the end)
 */
public record FeatureEdit(String sae, int feature, Mode mode, float value, int from, int to) {

    /** How a feature is changed. */
    public enum Mode {
        SCALE, ADD, CLAMP, ABLATE;

        /** The mode named {@code name} (case-insensitive). */
        public static Mode of(String name) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new NanolensException("unknown steering mode '" + name + "'; choose scale, add, clamp or ablate");
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public FeatureEdit {
        if (feature < 0 || from < 0 || to <= from || mode == null || !Float.isFinite(value)) {
            throw new NanolensException("a feature edit needs a feature ≥ 0, a mode, a finite value and positions "
                    + "from < to; got feature " + feature + ", " + mode + " " + value + ", positions [" + from + ", "
                    + to + ")");
        }
    }

    /** The edit at every position. */
    public static FeatureEdit of(String sae, int feature, Mode mode, float value) {
        return new FeatureEdit(sae, feature, mode, value, 0, Integer.MAX_VALUE);
    }

    /** This edit only at positions [from, to). */
    public FeatureEdit at(int fromPosition, int toPosition) {
        return new FeatureEdit(sae, feature, mode, value, fromPosition, toPosition);
    }

    boolean covers(int position) {
        return position >= from && position < to;
    }

    /** The feature's new activation given its current one. */
    float apply(float current) {
        return switch (mode) {
            case SCALE -> current * value;
            case ADD -> current + value;
            case CLAMP -> value;
            case ABLATE -> 0f;
        };
    }
}
