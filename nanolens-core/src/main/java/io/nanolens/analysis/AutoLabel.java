package io.nanolens.analysis;

import io.nanolens.explorer.ActivatingContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A short automatic label for a feature from the tokens it fires on most: the peak tokens of its top contexts,
 * with surrounding white space trimmed (a token that is only white space is shown as {@code \n}, {@code \t} or
 * {@code ␣}), counted, and the {@value #TOKENS} most frequent joined by {@code " / "} (most frequent first; among
 * equals, the one whose strongest context ranks higher). A feature whose peak tokens are all the same gets that one
 * token. Cheap and honest: it names what the feature fires on, not why; contrastive labels say more
 * ({@link ContrastTable}).
 */
final class AutoLabel {
    static final int TOKENS = 3;
    private static final int MAX_CHARS = 48;

    private AutoLabel() {
    }

    /** The label of a feature with these top contexts (strongest first); empty if there are none. */
    static String of(List<ActivatingContext> top) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ActivatingContext c : top) {
            counts.merge(shown(c.tokens().get(c.peak())), 1, Integer::sum);
        }
        String label = counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(TOKENS)
                .map(Map.Entry::getKey)
                .collect(Collectors.joining(" / "));
        if (label.length() <= MAX_CHARS) {
            return label;
        }
        int cut = Character.isHighSurrogate(label.charAt(MAX_CHARS - 2)) ? MAX_CHARS - 2 : MAX_CHARS - 1;
        return label.substring(0, cut) + "…";
    }

    /** A token as a label shows it: trimmed, or its white space named. */
    static String shown(String token) {
        String trimmed = token.strip();
        if (!trimmed.isEmpty()) {
            return trimmed;
        }
        if (token.contains("\n")) {
            return "\\n";
        }
        return token.contains("\t") ? "\\t" : "␣";
    }
}
