package io.nanolens.steer;

import java.util.List;
import java.util.Map;

/**
 * What tracking saw at one position of a forward pass or generation: per attached SAE (by name), its most active
 * features there, largest first.
 *
 * @param position the token's position in the sequence (0 = BOS)
 * @param features per SAE name, the top features
 */
public record TrackedToken(int position, Map<String, List<FeatureActivation>> features) {

    /** A feature and its activation. */
    public record FeatureActivation(int feature, float value) {
    }
}
