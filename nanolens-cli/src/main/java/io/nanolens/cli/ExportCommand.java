package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.explorer.ExplorerDirectory;
import io.nanolens.explorer.FeatureAtlas;
import io.nanolens.export.NeuronpediaExport;
import io.nanolens.sae.SaeDirectory;
import io.nanolens.sae.SaeLensFormat;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ./nanolens export}: an SAE in SAELens's layout, or ready for Neuronpedia (the SAE in SAELens's layout plus
 * SAEDashboard-runner feature batches built from an explorer directory's analysis).
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write an SAE in SAELens's layout, or with Neuronpedia's feature-dashboard batches.",
        footer = {"", "saelens     OUT holds cfg.json, sae_weights.safetensors (and sparsity.safetensors)",
                "neuronpedia OUT/sae (SAELens layout) and OUT/{model}_{set}_{hook}_{d_sae}/batch-N.json,",
                "            run_settings.json, skipped_indexes.json from --dashboard DIR",
                "", "Examples:",
                "  ./nanolens export --sae runs/demo/sae --format saelens --out runs/export/saelens",
                "  ./nanolens export --sae runs/demo/sae --format neuronpedia --dashboard runs/demo/explorer \\",
                "      --out runs/export/neuronpedia --model-id nanolens-tiny"})
final class ExportCommand implements Callable<Integer> {
    private static final Pattern LAYER = Pattern.compile("blocks\\.(\\d+)\\.");

    @Spec
    CommandSpec spec;

    @Option(names = "--sae", required = true, paramLabel = "DIR", description = "An SAE directory.")
    Path sae;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "saelens or neuronpedia.")
    String format;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the export.")
    Path out;

    @Option(names = "--dashboard", paramLabel = "DIR",
            description = "Explorer directory written by ./nanolens dashboard (neuronpedia: the feature data).")
    Path dashboard;

    @Option(names = "--model-id", paramLabel = "ID", description = "Neuronpedia model id (default: from the analysis).")
    String modelId;

    @Option(names = "--sae-set", paramLabel = "NAME",
            description = "Neuronpedia SAE set name (default: res-ARCH, e.g. res-topk).")
    String saeSet;

    @Override
    public Integer call() {
        String kind = format.toLowerCase(Locale.ROOT);
        if (!kind.equals("saelens") && !kind.equals("neuronpedia")) {
            throw new NanolensException("unknown export format '" + format + "'; choose saelens or neuronpedia");
        }
        if (kind.equals("neuronpedia") && dashboard == null) {
            throw new NanolensException("a Neuronpedia export needs the feature analysis: run ./nanolens dashboard "
                    + "--out DIR first and pass --dashboard DIR");
        }
        SaeDirectory saeDir = SaeLensFormat.read(sae);
        PrintWriter printer = spec.commandLine().getOut();
        if (kind.equals("saelens")) {
            SaeLensFormat.write(out, saeDir);
            printer.println("SAE written in SAELens's layout to " + out);
            return 0;
        }
        FeatureAtlas atlas = ExplorerDirectory.read(dashboard);
        if (atlas.dSae() != saeDir.sae().dSae()) {
            throw new NanolensException("the analysis in " + dashboard + " covers " + atlas.dSae() + " features but the "
                    + "SAE has " + saeDir.sae().dSae() + "; analyse this SAE with ./nanolens dashboard");
        }
        Matcher layer = LAYER.matcher(atlas.hookName());
        if (!layer.find()) {
            throw new NanolensException("cannot tell the layer from hook '" + atlas.hookName() + "'");
        }
        Integer contextSize = saeDir.metadata().contextSize();
        int promptTokens = contextSize == null ? 128 : contextSize;
        NeuronpediaExport.Settings settings = new NeuronpediaExport.Settings(
                modelId != null ? modelId : sanitize(Path.of(atlas.modelName()).getFileName().toString()),
                saeSet != null ? saeSet : "res-" + saeDir.sae().architecture().id(),
                Integer.parseInt(layer.group(1)), atlas.tokensAnalysed() / Math.max(1, promptTokens), promptTokens,
                saeDir.metadata().datasetPath() == null ? "" : saeDir.metadata().datasetPath());
        SaeLensFormat.write(out.resolve("sae"), saeDir);
        Path batches = out.resolve(NeuronpediaExport.directoryName(settings, atlas));
        NeuronpediaExport.write(atlas, settings, batches);
        printer.println("SAE written in SAELens's layout to " + out.resolve("sae"));
        printer.println(atlas.features().size() + " feature dashboards written as Neuronpedia batches to " + batches);
        return 0;
    }

    private static String sanitize(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}
