package io.nanolens.io.pickle;

/**
 * An object a pickle creates with NEWOBJ from an allowed class (only {@code tiktoken.core.Encoding}), kept as a
 * record of its class and the state BUILD gave it: nothing of the class is run, the state is plain data (for an
 * Encoding, the dict its {@code __getstate__} returned).
 */
public final class PickledObject {
    private final PickleGlobal type;
    private Object state;
    private boolean built;

    PickledObject(PickleGlobal type) {
        this.type = type;
    }

    /** The class the pickle named. */
    public PickleGlobal type() {
        return type;
    }

    /** The state BUILD set, or null if the pickle never built the object. */
    public Object state() {
        return state;
    }

    /** Whether BUILD has set the state (it may only do so once). */
    boolean built() {
        return built;
    }

    void build(Object newState) {
        state = newState;
        built = true;
    }

    @Override
    public String toString() {
        return type.qualifiedName() + " object";
    }
}
