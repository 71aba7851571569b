package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The conventions of CONTRIBUTING.md that a machine can check ({@link Conventions}), over every
 * published module's classes: notifiers add, one way to pass a MeterRegistry, no exported internal
 * package, no third-party type in a public signature outside the classes that exist to integrate
 * with it, no public method declared to return null (absence is an {@code Optional}), no
 * {@code start()} beside {@code build()}, one argument type per builder method of the table, and
 * operational exceptions below {@code OpsException}. {@link ConventionsFixturesTest} shows each
 * check failing on a fixture that breaks it.
 */
class ConventionsTest {

    /** Where Opskit modules' classes are on the test class path: target/classes or the module jar. */
    private static final Pattern MODULE_ENTRY =
            Pattern.compile(".*[/\\\\](ops-(?!test-support)[a-z0-9-]+)[/\\\\]target[/\\\\].*");

    /**
     * Public methods from before the absence convention that still return null; each is to become
     * an {@code Optional} (listed in CHANGELOG.md). The list may only shrink: a new one fails.
     */
    private static final Set<String> NULLABLE_RETURNS_TO_MIGRATE = Set.of();

    /**
     * ops-backup's refusals from before its base exception; each is to extend {@code BackupException}
     * (an {@code OpsException}). The list may only shrink: a new one fails.
     */
    private static final Set<String> EXCEPTIONS_TO_MIGRATE = Set.of();

    private static final List<Class<?>> CLASSES = new ArrayList<>();
    private static final List<ModuleDescriptor> DESCRIPTORS = new ArrayList<>();

    @BeforeAll
    static void loadPublishedClasses() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Set<String> seenModules = new LinkedHashSet<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!MODULE_ENTRY.matcher(entry).matches()) {
                continue;
            }
            Path path = Path.of(entry);
            List<String> names = new ArrayList<>();
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.walk(path)) {
                    files.filter(f -> f.toString().endsWith(".class"))
                            .forEach(f -> names.add(path.relativize(f).toString().replace(File.separatorChar, '/')));
                }
                Path info = path.resolve("module-info.class");
                if (Files.exists(info)) {
                    try (InputStream in = Files.newInputStream(info)) {
                        DESCRIPTORS.add(ModuleDescriptor.read(in));
                    }
                }
            } else if (entry.endsWith(".jar")) {
                try (JarFile jar = new JarFile(entry)) {
                    jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).forEach(names::add);
                    var info = jar.getEntry("module-info.class");
                    if (info != null) {
                        try (InputStream in = jar.getInputStream(info)) {
                            DESCRIPTORS.add(ModuleDescriptor.read(in));
                        }
                    }
                }
            }
            seenModules.add(entry);
            for (String name : names) {
                if (name.equals("module-info.class") || name.endsWith("package-info.class")) {
                    continue;
                }
                String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                try {
                    CLASSES.add(Class.forName(className, false, ConventionsTest.class.getClassLoader()));
                } catch (ClassNotFoundException | LinkageError e) {
                    // a class of an optional integration whose library is absent here: not public API we can check
                }
            }
        }
        assertThat(seenModules).as("Opskit modules on the test class path").isNotEmpty();
    }

    @Test
    void classes_ofEveryPublishedModule_areChecked() {
        Set<String> modules = DESCRIPTORS.stream().map(ModuleDescriptor::name).collect(Collectors.toSet());
        assertThat(modules).contains("io.opskit.api", "io.opskit.health", "io.opskit.metrics",
                "io.opskit.ratelimit", "io.opskit.backup", "io.opskit.backup.s3", "io.opskit.jobs", "io.opskit.db", "io.opskit.notify");
        assertThat(CLASSES).hasSizeGreaterThan(100);
    }

    @Test
    void notifier_onEveryBuilder_adds() {
        assertThat(Conventions.replacingNotifiers(publicApi()))
                .as("builders whose notifier(n) keeps one notifier instead of adding").isEmpty();
    }

    @Test
    void meterRegistry_isPassedOneWay() {
        assertThat(Conventions.otherRegistryWays(publicApi()))
                .as("public members that take a MeterRegistry other than meterRegistry(r)").isEmpty();
    }

    @Test
    void internalPackages_areExportedOnlyToSiblings() {
        assertThat(Conventions.internalExports(DESCRIPTORS))
                .as("internal exports and optional dependencies forced on named modules").isEmpty();
    }

    @Test
    void publicSignatures_useNoThirdPartyTypeOutsideIntegrationClasses() {
        assertThat(Conventions.thirdPartyLeaks(publicApi())).as("third-party types in public signatures").isEmpty();
    }

    @Test
    void publicMethods_neverReturnNullable() {
        assertThat(org.jspecify.annotations.Nullable.class).as("JSpecify on the class path, so the check can see")
                .isNotNull();
        Set<String> nullable = new TreeSet<>(Conventions.nullableReturns(publicApi()));
        nullable.removeAll(NULLABLE_RETURNS_TO_MIGRATE);
        assertThat(nullable).as("public methods declared @Nullable (return Optional instead)").isEmpty();
    }

    @Test
    void components_haveNoStartMethod() {
        assertThat(Conventions.startMethods(publicApi()))
                .as("start() beside build(), which returns a running component").isEmpty();
    }

    @Test
    void builderMethodsOfTheTable_takeTheirOneType() {
        assertThat(Conventions.builderArgumentTypes(publicApi()))
                .as("clock/ticker/executor/scheduler/notifier taking another type").isEmpty();
    }

    @Test
    void uncheckedExceptions_extendOpsException() {
        Set<String> outside = new TreeSet<>(Conventions.exceptionsOutsideOpsException(publicApi()));
        assertThat(EXCEPTIONS_TO_MIGRATE).as("the migration list only lists exceptions still to migrate")
                .isSubsetOf(outside);
        outside.removeAll(EXCEPTIONS_TO_MIGRATE);
        assertThat(outside).as("refusals outside OpsException (and not IllegalArgument/IllegalState)").isEmpty();
    }

    private static List<Class<?>> publicApi() {
        return Conventions.publicApi(CLASSES);
    }
}
