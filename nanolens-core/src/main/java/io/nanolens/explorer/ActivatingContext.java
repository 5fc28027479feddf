package io.nanolens.explorer;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A window of corpus tokens with the feature's activation on each, centred on one token of interest (the peak):
 * what the explorer draws as a line of tokens shaded by activation. Matches one entry of SAEDashboard's
 * {@code activations} list ({@code tokens}, {@code values}, {@code qualifying_token_index}).
 *
 * @param tokens the tokens as text, in corpus order; never interpreted as markup
 * @param values [tokens.size()] the feature's activation on each token, finite
 * @param peak   index into {@code tokens} of the token the context was chosen for
 */
public record ActivatingContext(List<String> tokens, float[] values, int peak) {
    public ActivatingContext {
        tokens = List.copyOf(tokens);
        values = values.clone();
        if (values.length != tokens.size()) {
            throw new IllegalArgumentException("need one activation per token: " + values.length + " values for "
                    + tokens.size() + " tokens");
        }
        if (peak < 0 || peak >= tokens.size()) {
            throw new IllegalArgumentException("peak must index a token in [0, " + tokens.size() + "), got " + peak);
        }
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("activations must be finite, got " + v);
            }
        }
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ActivatingContext that && peak == that.peak && tokens.equals(that.tokens)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(tokens, Arrays.hashCode(values), peak);
    }

    @Override
    public String toString() {
        return "ActivatingContext[tokens=" + tokens + ", values=" + Arrays.toString(values) + ", peak=" + peak + "]";
    }
}
