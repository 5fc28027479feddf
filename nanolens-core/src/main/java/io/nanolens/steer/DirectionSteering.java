package io.nanolens.steer;

import io.nanolens.model.Hook;
import io.nanolens.model.HookPoint;
import io.nanolens.model.Hooks;

/** A raw vector added at a hook point while open ({@link InterpretableModel#addDirection}). */
public final class DirectionSteering extends InterpretableModel.Scope {
    private final HookPoint hook;
    private final Hook add;

    DirectionSteering(InterpretableModel model, HookPoint hook, Hook add) {
        super(model);
        this.hook = hook;
        this.add = add;
    }

    @Override
    void addTo(Hooks hooks) {
        hooks.add(hook, add);
    }
}
