package io.nanolens.cli;

import io.nanolens.NanolensException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
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
        subcommands = {DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        footer = {"",
                "The launcher also runs the test suite: ./nanolens test",
                "",
                "Examples:",
                "  ./nanolens demo                 the main job, end to end",
                "  ./nanolens bench kernels        matmul GFLOP/s against OpenBLAS",
                "  ./nanolens bench kernels --json one JSON object for scripts"})
public final class Nanolens {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code, without exiting (tests call this). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Nanolens());
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
