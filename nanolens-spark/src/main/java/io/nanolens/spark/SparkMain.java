package io.nanolens.spark;

import io.nanolens.NanolensException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The entry point of the nanolens-spark jar ({@code ./nanolens spark ...}, or {@code spark-submit --class} this
 * class): the picocli root of the three Spark jobs, which turns a {@link NanolensException} (a user mistake, also
 * when a task on an executor raised it) into one line on stderr and exit code 2. The only System.exit.
 */
@Command(name = "nanolens spark", mixinStandardHelpOptions = true, versionProvider = SparkMain.Version.class,
        description = "Harvest, analyse and sweep as Apache Spark jobs: on a cluster, or on local[*] in this JVM.",
        subcommands = {HarvestCommand.class, AnalyseCommand.class, SweepCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Without SPARK_HOME or --master the jobs run on an embedded local[*] Spark (no",
                "Spark installation needed, bound to 127.0.0.1). With SPARK_HOME set, or a",
                "cluster --master, ./nanolens spark submits through spark-submit.",
                "", "Examples:",
                "  ./nanolens spark harvest --model runs/demo/model \\",
                "      --hook blocks.2.hook_resid_post --corpus tinyworld --tokens 2000000 \\",
                "      --out runs/demo/acts",
                "  ./nanolens spark analyse --model runs/demo/model --sae runs/demo/sae \\",
                "      --corpus tinyworld --out runs/demo/explorer",
                "  ./nanolens spark sweep --activations runs/demo/acts --tokens 2000000 \\",
                "      --sae topk-x8-k16,topk-x8-k32,relu-x8-l1-5 --out runs/demo/sweep",
                "  ./nanolens spark harvest --master local[2] ...   on two cores of this machine"})
public final class SparkMain {
    private SparkMain() {
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with its output and errors going to the given writers; returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new SparkMain()).setOut(out).setErr(err);
        cli.setParameterExceptionHandler((ex, given) -> {
            String command = ex.getCommandLine().getCommandSpec().qualifiedName(" ");
            ex.getCommandLine().getErr().println("nanolens: " + ex.getMessage() + " (see ./" + command + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, line, parsed) -> {
            for (Throwable t = ex; t != null; t = t.getCause()) {
                if (t instanceof NanolensException mistake) {
                    line.getErr().println("nanolens: " + mistake.getMessage());
                    return 2;
                }
            }
            throw ex;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SparkMain.class.getPackage().getImplementationVersion();
            return new String[] {"nanolens-spark " + (version == null ? "(development build)" : version),
                    "Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
