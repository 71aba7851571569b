/**
 * The deploy gate's command-line front end, {@code java -jar opskit-metrics-cli.jar}; bundled with
 * picocli only into that separate jar.
 */
@NullMarked
package io.opskit.metrics.cli;

import org.jspecify.annotations.NullMarked;
