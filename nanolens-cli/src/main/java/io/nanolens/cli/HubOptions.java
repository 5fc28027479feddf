package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.hub.Hub;
import io.nanolens.hub.HubSettings;
import io.nanolens.hub.HubSpec;
import io.nanolens.hub.RepoFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Lets every command's {@code --model} and {@code --sae} take a hub spec ({@code hf:ORG/NAME[@REV][/PATH]}) where
 * it takes a directory, without touching the commands: {@link #install} gives each command that has one of those
 * options an {@code --offline} flag and a line of help, and runs before the command to replace each spec with the
 * snapshot directory {@link Hub} resolves it to (downloading into the Hugging Face cache if needed, progress on
 * standard error). The commands keep their plain {@code Path} fields and never see a spec. A failure (bad spec,
 * 404, 401, no network, offline and missing) ends the run with the usual one line and exit code 2.
 */
final class HubOptions {
    static final String OFFLINE = "--offline";
    /** The options that name a model or an SAE directory, and what each needs from a repository. */
    private static final List<String> OPTIONS = List.of("--model", "--sae");
    private static final String[] NOTE = {"",
            "--model and --sae also take hf:ORG/NAME[@REV][/PATH], a model or SAE on the",
            "Hugging Face hub, fetched into its cache (see ./nanolens pull --help)."};

    private HubOptions() {
    }

    /** Teaches the command line hub specs; {@code settings} is asked only when a spec is given. */
    static void install(CommandLine root, Supplier<HubSettings> settings) {
        teach(root);
        CommandLine.IExecutionStrategy next = root.getExecutionStrategy();
        root.setExecutionStrategy(parsed -> {
            resolve(parsed, settings);
            return next.execute(parsed);
        });
    }

    private static void teach(CommandLine line) {
        CommandSpec spec = line.getCommandSpec();
        if (OPTIONS.stream().anyMatch(name -> spec.findOption(name) != null) && spec.findOption(OFFLINE) == null) {
            spec.addOption(OptionSpec.builder(OFFLINE).type(boolean.class)
                    .description("Use only the local Hugging Face cache for hf: specs (as HF_HUB_OFFLINE=1).")
                    .build());
            String[] footer = spec.usageMessage().footer();
            String[] withNote = new String[NOTE.length + footer.length];
            System.arraycopy(NOTE, 0, withNote, 0, NOTE.length);
            System.arraycopy(footer, 0, withNote, NOTE.length, footer.length);
            spec.usageMessage().footer(withNote);
        }
        line.getSubcommands().values().forEach(HubOptions::teach);
    }

    /** Replaces every hub spec among the parsed options with its local directory; nothing on a help request. */
    private static void resolve(ParseResult parsed, Supplier<HubSettings> settings) {
        List<ParseResult> levels = new ArrayList<>();
        for (ParseResult level = parsed; level != null; level = level.subcommand()) {
            if (level.isUsageHelpRequested() || level.isVersionHelpRequested()) {
                return;
            }
            levels.add(level);
        }
        for (ParseResult level : levels) {
            CommandLine line = level.commandSpec().commandLine();
            try {
                for (String name : OPTIONS) {
                    OptionSpec option = level.commandSpec().findOption(name);
                    String text = option == null ? null : given(option);
                    if (HubSpec.isSpec(text)) {
                        option.setValue(fetch(line, text, name, level.matchedOptionValue(OFFLINE, false), settings));
                    }
                }
            } catch (NanolensException e) {
                throw new CommandLine.ExecutionException(line, e.getMessage(), e);
            }
        }
    }

    /** What the user wrote for the option (or its default), when it is a path. */
    private static String given(OptionSpec option) {
        if (!(option.getValue() instanceof Path path)) {
            return null;
        }
        List<String> typed = option.originalStringValues();
        return typed.isEmpty() ? path.toString() : typed.getLast();
    }

    private static Path fetch(CommandLine line, String text, String option, boolean offline,
                              Supplier<HubSettings> settings) {
        HubSpec spec = HubSpec.parse(text);
        RepoFiles.Kind kind = option.equals("--sae") ? RepoFiles.Kind.SAE : RepoFiles.Kind.MODEL;
        try (DownloadProgress progress = new DownloadProgress(line.getErr(), TrainingProgress.terminal())) {
            Hub.Snapshot snapshot = new Hub(settings.get().withOffline(offline), progress).resolve(spec, kind);
            if (progress.files() > 0) {
                line.getErr().printf("%s %s: %s%n", option, spec, snapshot.directory());
                line.getErr().flush();
            }
            return snapshot.directory();
        }
    }
}
