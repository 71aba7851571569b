/**
 * Fixtures shared by the tests of every Opskit module; not published. {@link
 * io.opskit.testsupport.FakeClock} and {@link io.opskit.testsupport.FakeTicker} let a test advance
 * time instead of sleeping; {@link io.opskit.testsupport.Services} fails a test under {@code CI=true}
 * (or skips it elsewhere) when a real service it needs is missing; {@link
 * io.opskit.testsupport.ReadmeSnippets} compiles and runs the README's code exactly as printed;
 * {@link io.opskit.testsupport.Promtool} runs Prometheus' rule tool and {@link
 * io.opskit.testsupport.Prometheus} a real Prometheus server.
 */
@NullMarked
package io.opskit.testsupport;

import org.jspecify.annotations.NullMarked;
