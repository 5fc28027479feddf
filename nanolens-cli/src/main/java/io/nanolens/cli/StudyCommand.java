package io.nanolens.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ./nanolens study WHAT}: research questions run as commands that write a table and an HTML report. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = "Run a study that writes a table and an HTML report with plots.",
        subcommands = {StudyActivations.class, StudyEmergence.class, StudyClusters.class})
final class StudyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a study, e.g. ./nanolens study activations");
    }
}
