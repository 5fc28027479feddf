package io.nanolens.io.pickle;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple read from a pickle: an unmodifiable list of values (which may be null for None). Tuples are the
 * only containers that can be dictionary keys, so each knows how deeply tuples nest inside it; {@link Unpickler}
 * refuses nesting deep enough to make hashing or comparing recurse without bound.
 */
public final class PickleTuple {
    private final List<Object> items;
    private final int depth;   // 1 + the deepest tuple inside

    PickleTuple(Object[] values) {
        items = Collections.unmodifiableList(Arrays.asList(values));
        int inner = 0;
        for (Object v : values) {
            if (v instanceof PickleTuple t) {
                inner = Math.max(inner, t.depth);
            }
        }
        depth = inner + 1;
    }

    /** The values, in order. */
    public List<Object> items() {
        return items;
    }

    public int size() {
        return items.size();
    }

    public Object get(int index) {
        return items.get(index);
    }

    int depth() {
        return depth;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PickleTuple other && items.equals(other.items);
    }

    @Override
    public int hashCode() {
        return items.hashCode();
    }

    @Override
    public String toString() {
        return "tuple of " + items.size();
    }
}
