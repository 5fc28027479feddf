package io.nanolens.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What every study reads, on the command line: the model, its hook point and the corpus. */
final class StudyOptions {
    @Option(names = "--model", defaultValue = "runs/demo/model", paramLabel = "DIR",
            description = "A model directory (default: ${DEFAULT-VALUE}, which the demo trains).")
    Path model;

    @Option(names = "--hook", paramLabel = "NAME", description = "Hook point (default: an SAE's own, else the "
            + "middle layer's blocks.L.hook_resid_post).")
    String hook;

    @Option(names = "--corpus", defaultValue = "tinyworld", paramLabel = "SRC",
            description = "The text (default: ${DEFAULT-VALUE}); a study that trains SAEs trains on its training part "
                    + "and scores on its validation part.")
    String corpus;
}
