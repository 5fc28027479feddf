package io.nanolens.io.pickle;

import java.util.Arrays;

/**
 * A Python {@code bytes} value read from a pickle (tiktoken's mergeable ranks are keyed by them). Compared and
 * hashed by content, so it can be a dictionary key; {@link #value()} returns the array itself, not a copy.
 *
 * @param value the bytes
 */
public record PickleBytes(byte[] value) {

    @Override
    public boolean equals(Object o) {
        return o instanceof PickleBytes other && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "bytes[" + value.length + "]";
    }
}
