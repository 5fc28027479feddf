package io.nanolens.cli;

import io.nanolens.NanolensException;
import io.nanolens.hub.HubSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The picocli root of {@code ./nanolens}: lists the subcommands, prints the version, and turns a
 * {@link NanolensException} (a user mistake) into one line on stderr and exit code 2. The only System.exit.
 */
@Command(name = "nanolens",
        mixinStandardHelpOptions = true,
        versionProvider = Nanolens.Version.class,
        description = "Train a small GPT on a CPU, then understand it with sparse autoencoders.",
        subcommands = {DemoCommand.class, TrainModelCommand.class, SampleCommand.class, CollectCommand.class,
                TrainSaeCommand.class, EvalCommand.class, DashboardCommand.class, TraceCommand.class,
                SteerCommand.class, ServeCommand.class, ExportCommand.class, StudyCommand.class,
                PullCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"",
                "The launcher also runs the test suite: ./nanolens test",
                "",
                "Examples:",
                "  ./nanolens demo                 the main job, end to end",
                "  ./nanolens train-model --corpus tinyworld --out runs/tiny --steps 600",
                "  ./nanolens sample --model runs/tiny --prompt \"Once upon a time\"",
                "  ./nanolens eval --model runs/demo/model --sae runs/demo/sae --corpus tinyworld",
                "  ./nanolens dashboard --model runs/demo/model --sae runs/demo/sae --corpus tinyworld --out runs/explorer",
                "  ./nanolens collect --model runs/tiny --hook blocks.2.hook_resid_post \\",
                "      --corpus tinyworld --tokens 1000000 --out runs/tiny/acts",
                "  ./nanolens train-sae --model runs/tiny --hook blocks.2.hook_resid_post \\",
                "      --activations runs/tiny/acts --k 32 --tokens 1000000 --out runs/tiny/sae",
                "  ./nanolens pull hf:openai-community/gpt2    a model from the Hugging Face hub",
                "  ./nanolens bench kernels        matmul GFLOP/s against OpenBLAS",
                "  ./nanolens bench kernels --json one JSON object for scripts"})
public final class Nanolens {
    /** Where hub specs ({@code hf:...}) are fetched from and cached; read when a spec is first used. */
    private final Supplier<HubSettings> hub;

    Nanolens() {
        this(HubSettings::fromEnvironment);
    }

    private Nanolens(Supplier<HubSettings> hub) {
        this.hub = hub;
    }

    /** The hub settings of this run (the environment's, unless a test gave others). */
    HubSettings hubSettings() {
        return hub.get();
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code, without exiting (tests call this). */
    public static int run(String... args) {
        return run(new CommandLine(new Nanolens()), args);
    }

    /** Runs the command line with its output and errors going to the given writers (in-process tests). */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(new CommandLine(new Nanolens()).setOut(out).setErr(err), args);
    }

    /** Runs the command line with hub specs fetched through {@code hub} instead of the environment (tests). */
    static int run(HubSettings hub, PrintWriter out, PrintWriter err, String... args) {
        return run(new CommandLine(new Nanolens(() -> hub)).setOut(out).setErr(err), args);
    }

    private static int run(CommandLine cli, String... args) {
        Nanolens root = cli.getCommand();
        HubOptions.install(cli, root::hubSettings);
        cli.setParameterExceptionHandler((ex, given) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName(" ");
            ex.getCommandLine().getErr().println("nanolens: " + ex.getMessage() + " (see ./" + command + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, line, parsed) -> {
            if (ex instanceof NanolensException) {
                line.getErr().println("nanolens: " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cli.execute(args);
    }

    static String version() {
        try (InputStream in = Nanolens.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"nanolens " + version(),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
