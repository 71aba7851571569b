/**
 * The Opskit sample host application: a JDK {@code HttpServer} with an embedded SQLite database
 * and a local backup directory, wiring every Opskit module the way a host would.
 * {@link io.opskit.sample.SampleMain} is the entry point; each module is wired by one
 * {@link io.opskit.sample.SampleFeature}.
 */
@NullMarked
package io.opskit.sample;

import org.jspecify.annotations.NullMarked;
