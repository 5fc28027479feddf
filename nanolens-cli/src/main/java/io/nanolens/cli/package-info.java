/**
 * Layer 6: the {@code ./nanolens} command line. {@link io.nanolens.cli.Nanolens} is the picocli root and the only
 * place that exits; each subcommand parses its options, builds a config record, calls the core library and
 * prints a summary.
 */
package io.nanolens.cli;
