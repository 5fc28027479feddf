package io.nanolens.explorer;

import java.util.Objects;

/**
 * One row of a feature's logit table: a vocabulary token and how much the feature's decoder direction, read through
 * the final norm and the unembedding, raises (positive) or lowers (negative) its logit. SAEDashboard calls these
 * {@code pos_str}/{@code pos_values} and {@code neg_str}/{@code neg_values} (FORMATS.md §2.3).
 *
 * @param token the token as text, exactly as the tokenizer spells it
 * @param value the logit effect, finite
 */
public record TokenEffect(String token, float value) {
    public TokenEffect {
        Objects.requireNonNull(token, "token");
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("logit effect of '" + token + "' must be finite, got " + value);
        }
    }
}
