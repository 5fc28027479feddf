package io.nanolens.io.pickle;

/**
 * A Python global a pickle names (GLOBAL or STACK_GLOBAL), such as {@code torch.FloatStorage}. Only the names
 * {@link AllowedGlobals} lists ever become one; nothing is imported or looked up, the name is only data.
 *
 * @param module the module, such as {@code torch._utils}
 * @param name   the name inside it, such as {@code _rebuild_tensor_v2}
 */
public record PickleGlobal(String module, String name) {

    /** {@code module.name}, as Python spells it. */
    public String qualifiedName() {
        return module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
