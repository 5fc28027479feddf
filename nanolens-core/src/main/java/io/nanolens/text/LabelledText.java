package io.nanolens.text;

import io.nanolens.NanolensException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A text with ground-truth concept labels per character: {@code bits[i]} has bit {@code c} set when character
 * {@code i} belongs to concept {@code concepts.get(c)} (a word from the concept's word list, or a character inside a
 * quotation). Produced by {@link TinyWorld}; later stages map it to tokens (a token belongs to a concept if any of
 * its characters does, see {@link #bitsBetween}) to score SAE features against known concepts by F1.
 *
 * @param text     the text, unchanged
 * @param concepts the concept names, in bit order (at most 32)
 * @param bits     [text.length()] one concept bit mask per character
 */
public record LabelledText(String text, List<String> concepts, int[] bits) {
    /** A half-open character range [start, end). */
    public record Span(int start, int end) {
    }

    public LabelledText {
        if (concepts.size() > Integer.SIZE) {
            throw new IllegalArgumentException("at most 32 concepts fit in an int mask, got " + concepts.size());
        }
        if (bits.length != text.length()) {
            throw new IllegalArgumentException("need one mask per character: " + bits.length + " masks for "
                    + text.length() + " characters");
        }
        concepts = List.copyOf(concepts);
        bits = bits.clone();
    }

    @Override
    public int[] bits() {
        return bits.clone();
    }

    /** Index of a concept in {@link #concepts()}, which is also its bit position. */
    public int conceptIndex(String concept) {
        int c = concepts.indexOf(concept);
        if (c < 0) {
            throw new NanolensException("unknown concept '" + concept + "': choose one of " + concepts);
        }
        return c;
    }

    /** Whether the character at {@code offset} belongs to {@code concept}. */
    public boolean has(int offset, String concept) {
        return (bits[offset] & (1 << conceptIndex(concept))) != 0;
    }

    /** The concept bit mask of one character. */
    public int bitsAt(int offset) {
        return bits[offset];
    }

    /** The union of the concept masks of characters [start, end): the concepts a token spanning them belongs to. */
    public int bitsBetween(int start, int end) {
        int union = 0;
        for (int i = start; i < end; i++) {
            union |= bits[i];
        }
        return union;
    }

    /** The characters labelled with {@code concept}, as a new bit set over character offsets. */
    public BitSet mask(String concept) {
        int bit = 1 << conceptIndex(concept);
        BitSet mask = new BitSet(bits.length);
        for (int i = 0; i < bits.length; i++) {
            if ((bits[i] & bit) != 0) {
                mask.set(i);
            }
        }
        return mask;
    }

    /** The maximal runs of characters labelled with {@code concept}, in text order. */
    public List<Span> spans(String concept) {
        BitSet mask = mask(concept);
        List<Span> spans = new ArrayList<>();
        for (int start = mask.nextSetBit(0); start >= 0; start = mask.nextSetBit(start)) {
            int end = mask.nextClearBit(start);
            spans.add(new Span(start, end));
            start = end;
        }
        return spans;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelledText that && text.equals(that.text) && concepts.equals(that.concepts)
                && Arrays.equals(bits, that.bits);
    }

    @Override
    public int hashCode() {
        return (text.hashCode() * 31 + concepts.hashCode()) * 31 + Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return "LabelledText[" + text.length() + " chars, concepts=" + concepts + "]";
    }
}
