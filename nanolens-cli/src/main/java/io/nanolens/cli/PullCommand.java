package io.nanolens.cli;

import io.nanolens.hub.Hub;
import io.nanolens.hub.HubSpec;
import io.nanolens.hub.RepoFiles;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code ./nanolens pull}: a model or an SAE from the Hugging Face hub into its cache; prints the directory. */
@Command(name = "pull", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fetch a model or an SAE from the Hugging Face hub into the local cache and print its "
                + "directory. A model is config.json + model.safetensors (+ tokenizer files), or a nanochat "
                + "checkpoint (model_N.pt, meta_N.json, tokenizer.pkl); an SAE is a folder in SAELens's layout "
                + "(cfg.json, sae_weights.safetensors, sparsity.safetensors)."},
        footer = {"",
                "The cache is huggingface_hub's own: $HF_HUB_CACHE, else $HF_HOME/hub, else",
                "~/.cache/huggingface/hub; what Python already downloaded is reused. pull asks",
                "the hub where the revision is now; --model and --sae use a complete cached",
                "snapshot without asking. HF_TOKEN is sent for private or gated repositories,",
                "HF_ENDPOINT names a mirror, HF_HUB_OFFLINE=1 is --offline.",
                "",
                "Examples:",
                "  ./nanolens pull hf:openai-community/gpt2",
                "  ./nanolens pull hf:jbloom/GPT2-Small-SAEs-Reformatted/blocks.8.hook_resid_pre",
                "  ./nanolens pull hf:openai-community/gpt2 --offline    is it all cached?"})
final class PullCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Nanolens root;

    @Parameters(paramLabel = "SPEC", description = "hf:ORG/NAME[@REVISION][/PATH]: a repository, a branch, tag or "
            + "commit (default main), and a folder in it.")
    String target;

    @Option(names = HubOptions.OFFLINE, description = "Use only the local cache (as HF_HUB_OFFLINE=1).")
    boolean offline;

    @Override
    public Integer call() {
        HubSpec hubSpec = HubSpec.parse(target);
        PrintWriter err = spec.commandLine().getErr();
        try (DownloadProgress progress = new DownloadProgress(err, TrainingProgress.terminal())) {
            Hub.Snapshot s = new Hub(root.hubSettings().withOffline(offline), progress)
                    .pull(hubSpec, RepoFiles.Kind.ANY);
            String fetched = progress.files() == 0 ? "all in the cache"
                    : "fetched " + progress.files() + " (" + DownloadProgress.mb(progress.bytes()) + ")";
            err.printf(Locale.ROOT, "%s: %s, %d files at commit %s, %s%n", hubSpec,
                    s.selection().kind().name().toLowerCase(Locale.ROOT), s.selection().files().size(),
                    s.commit().substring(0, 12), fetched);
            err.flush();
            spec.commandLine().getOut().println(s.directory());
        }
        return 0;
    }
}
