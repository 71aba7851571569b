package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.opskit.api.OpsException;
import io.opskit.api.Ticker;
import io.opskit.api.notify.Notifier;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Requires;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The checks of {@link ConventionsTest} applied to fixture classes: each finds the violation it is
 * for, naming the member, and passes the conforming twin. A check that found nothing here would
 * pass every module whatever it did.
 */
class ConventionsFixturesTest {

    // ---- fixtures that break a convention, each beside one that keeps it

    /** notifier(n) replaces the previous notifier. */
    public static final class ReplacingBuilder {
        private @Nullable Notifier notifier;

        public ReplacingBuilder notifier(Notifier value) {
            this.notifier = value;
            return this;
        }
    }

    /** notifier(n) adds. */
    public static final class AddingBuilder {
        private final List<Notifier> notifiers = new ArrayList<>();

        public AddingBuilder notifier(Notifier value) {
            notifiers.add(value);
            return this;
        }
    }

    /** A second way to pass a registry: a static factory and a two-argument builder method. */
    public static final class RegistryFactory {
        public static RegistryFactory of(MeterRegistry registry) {
            return new RegistryFactory();
        }

        public RegistryFactory meterRegistry(MeterRegistry registry, String prefix) {
            return this;
        }
    }

    /** The one way. */
    public static final class RegistryBuilder {
        public RegistryBuilder meterRegistry(MeterRegistry registry) {
            return this;
        }
    }

    /** A HikariCP type in a class that is not a Hikari integration. */
    public static final class PoolSettings {
        public HikariConfig config() {
            return new HikariConfig();
        }
    }

    /** JDK and Opskit types only. */
    public static final class PlainSettings {
        public Optional<Clock> clock() {
            return Optional.empty();
        }
    }

    /** A public method that may return null. */
    public static final class NullableGetter {
        public @Nullable String value() {
            return null;
        }
    }

    /** A component with a start() beside its builder. */
    public static final class StartedLater implements AutoCloseable {
        public void start() {
        }

        @Override
        public void close() {
        }
    }

    /** start() that is not a lifecycle method: it answers a request's start time. */
    public static final class RequestTimer {
        public long start() {
            return 0;
        }
    }

    /** Time as a LongSupplier, and an executor that is not an Executor. */
    public static final class WrongTimeBuilder {
        public WrongTimeBuilder clock(LongSupplier nanos) {
            return this;
        }

        public WrongTimeBuilder executor(Runnable onEachRun) {
            return this;
        }
    }

    /** Time as the table has it. */
    public static final class RightTimeBuilder {
        public RightTimeBuilder clock(Clock value) {
            return this;
        }

        public RightTimeBuilder ticker(Ticker value) {
            return this;
        }

        public Clock clock() {
            return Clock.systemUTC();
        }
    }

    /** A refusal a host cannot catch as an OpsException. */
    public static final class StrayRefusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** A refusal below OpsException. */
    public static final class Refusal extends OpsException {
        private static final long serialVersionUID = 1L;

        Refusal() {
            super("refused");
        }
    }

    /** A programming error. */
    public static final class BadSetting extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
    }

    // ---- the checks find the violations, and only them

    @Test
    void replacingNotifiers_findsTheBuilderThatKeepsOne() {
        assertThat(Conventions.replacingNotifiers(List.of(ReplacingBuilder.class, AddingBuilder.class)))
                .containsExactlyInAnyOrder(ReplacingBuilder.class.getName() + ".notifier",
                        ReplacingBuilder.class.getName() + " (no collection of notifiers)");
    }

    @Test
    void otherRegistryWays_findsFactoryAndTwoArgumentSetter() {
        assertThat(Conventions.otherRegistryWays(List.of(RegistryFactory.class, RegistryBuilder.class)))
                .containsExactlyInAnyOrder(RegistryFactory.class.getName() + ".of(1 args)",
                        RegistryFactory.class.getName() + ".meterRegistry(2 args)");
    }

    @Test
    void internalExports_findsUnqualifiedAndNonSiblingExportsAndStaticTransitive() {
        ModuleDescriptor everyone = ModuleDescriptor.newModule("io.opskit.fixture.one")
                .exports("io.opskit.fixture.one.internal").build();
        ModuleDescriptor host = ModuleDescriptor.newModule("io.opskit.fixture.two")
                .exports(Set.of(), "io.opskit.fixture.two.internal", Set.of("com.example.app", "io.opskit.health"))
                .requires(Set.of(Requires.Modifier.STATIC, Requires.Modifier.TRANSITIVE), "com.zaxxer.hikari")
                .build();
        ModuleDescriptor siblings = ModuleDescriptor.newModule("io.opskit.fixture.three")
                .exports(Set.of(), "io.opskit.fixture.three.internal", Set.of("io.opskit.health"))
                .exports("io.opskit.fixture.three")
                .requires(Set.of(Requires.Modifier.STATIC), "com.zaxxer.hikari")
                .build();

        assertThat(Conventions.internalExports(List.of(everyone, host, siblings))).containsExactlyInAnyOrder(
                "io.opskit.fixture.one exports io.opskit.fixture.one.internal",
                "io.opskit.fixture.two exports io.opskit.fixture.two.internal to com.example.app",
                "io.opskit.fixture.two requires static transitive com.zaxxer.hikari");
    }

    @Test
    void thirdPartyLeaks_findsHikariTypeOutsideAHikariClass() {
        assertThat(Conventions.thirdPartyLeaks(List.of(PoolSettings.class, PlainSettings.class)))
                .containsExactly(PoolSettings.class.getName() + ".config uses " + HikariConfig.class.getName());
    }

    @Test
    void nullableReturns_findsTheNullableGetter() {
        assertThat(Conventions.nullableReturns(List.of(NullableGetter.class, PlainSettings.class)))
                .containsExactly(NullableGetter.class.getName() + ".value");
    }

    @Test
    void startMethods_findsLifecycleStartOnly() {
        assertThat(Conventions.startMethods(List.of(StartedLater.class, RequestTimer.class)))
                .containsExactly(StartedLater.class.getName() + ".start()");
    }

    @Test
    void builderArgumentTypes_findsLongSupplierClockAndRunnableExecutor() {
        assertThat(Conventions.builderArgumentTypes(List.of(WrongTimeBuilder.class, RightTimeBuilder.class)))
                .containsExactlyInAnyOrder(
                        WrongTimeBuilder.class.getName() + ".clock(LongSupplier) must take one Clock",
                        WrongTimeBuilder.class.getName() + ".executor(Runnable) must take one Executor");
    }

    @Test
    void exceptionsOutsideOpsException_findsTheStrayRefusal() {
        assertThat(Conventions.exceptionsOutsideOpsException(
                List.of(StrayRefusal.class, Refusal.class, BadSetting.class)))
                .containsExactly(StrayRefusal.class.getName());
    }

    @Test
    void publicApi_leavesOutInternalAndNonPublicTypes() {
        // PlainSettings is public but nested in this package-private class: not API either.
        assertThat(Conventions.publicApi(List.of(io.opskit.api.Usd.class, PlainSettings.class, Conventions.class,
                io.opskit.api.internal.Checks.class))).containsExactly(io.opskit.api.Usd.class);
    }
}
