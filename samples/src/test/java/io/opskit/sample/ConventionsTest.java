package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.opskit.api.notify.Notifier;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
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
 * The conventions of CONTRIBUTING.md that a machine can check, over every published module's
 * classes: notifiers add, one way to pass a MeterRegistry, no exported internal package, no
 * third-party type in a public signature outside the classes that exist to integrate with it,
 * and no public method declared to return null (absence is an {@code Optional}).
 */
class ConventionsTest {

    /** Where Opskit modules' classes are on the test class path: target/classes or the module jar. */
    private static final Pattern MODULE_ENTRY =
            Pattern.compile(".*[/\\\\](ops-(?!test-support)[a-z0-9-]+)[/\\\\]target[/\\\\].*");

    /** Packages any public signature may use. */
    private static final List<String> ALLOWED_PACKAGES = List.of("java.", "javax.sql.", "javax.net.",
            "javax.crypto.", "javax.security.", "com.sun.net.httpserver.", "io.opskit.");

    /**
     * Public methods from before the absence convention that still return null; each is to become
     * an {@code Optional} (listed in CHANGELOG.md). The list may only shrink: a new one fails.
     */
    private static final Set<String> NULLABLE_RETURNS_TO_MIGRATE = Set.of();

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
                "io.opskit.ratelimit", "io.opskit.backup");
        assertThat(CLASSES).hasSizeGreaterThan(100);
    }

    @Test
    void notifier_onEveryBuilder_adds() {
        Set<String> replacing = new TreeSet<>();
        for (Class<?> type : publicApi()) {
            for (Method method : type.getDeclaredMethods()) {
                if (method.getName().equals("notifier") && Modifier.isPublic(method.getModifiers())
                        && method.getParameterCount() == 1 && method.getParameterTypes()[0] == Notifier.class) {
                    for (Field field : type.getDeclaredFields()) {
                        if (!Modifier.isStatic(field.getModifiers()) && field.getType() == Notifier.class) {
                            replacing.add(type.getName() + "." + field.getName());
                        }
                    }
                    boolean collects = Stream.of(type.getDeclaredFields())
                            .anyMatch(f -> Collection.class.isAssignableFrom(f.getType()));
                    if (!collects) {
                        replacing.add(type.getName() + " (no collection of notifiers)");
                    }
                }
            }
        }
        assertThat(replacing).as("builders whose notifier(n) keeps one notifier instead of adding").isEmpty();
    }

    @Test
    void meterRegistry_isPassedOneWay() {
        Set<String> otherWays = new TreeSet<>();
        for (Class<?> type : publicApi()) {
            boolean binder = Stream.of(type.getInterfaces())
                    .anyMatch(i -> i.getName().equals("io.micrometer.core.instrument.binder.MeterBinder"));
            for (Executable member : publicMembers(type)) {
                boolean takesRegistry = Stream.of(member.getParameterTypes())
                        .anyMatch(p -> p.getName().startsWith("io.micrometer.core.instrument.MeterRegistry"));
                if (!takesRegistry) {
                    continue;
                }
                boolean builderMethod = member.getName().equals("meterRegistry") && member.getParameterCount() == 1;
                boolean bindTo = binder && member.getName().equals("bindTo") && member.getParameterCount() == 1;
                if (!builderMethod && !bindTo) {
                    otherWays.add(type.getName() + "." + member.getName() + "(" + member.getParameterCount() + " args)");
                }
            }
        }
        assertThat(otherWays).as("public members that take a MeterRegistry other than meterRegistry(r)").isEmpty();
    }

    @Test
    void internalPackages_areNeverExportedToEveryone() {
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor descriptor : DESCRIPTORS) {
            for (ModuleDescriptor.Exports export : descriptor.exports()) {
                if (export.source().contains(".internal") && !export.isQualified()) {
                    exported.add(descriptor.name() + " exports " + export.source());
                }
            }
            for (ModuleDescriptor.Requires requires : descriptor.requires()) {
                // JDK modules are always there to resolve; a library is not.
                if (requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)
                        && requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE)
                        && !requires.name().startsWith("jdk.") && !requires.name().startsWith("java.")) {
                    exported.add(descriptor.name() + " requires static transitive " + requires.name());
                }
            }
        }
        assertThat(exported).as("internal exports and optional dependencies forced on named modules").isEmpty();
    }

    @Test
    void publicSignatures_useNoThirdPartyTypeOutsideIntegrationClasses() {
        Set<String> leaks = new TreeSet<>();
        for (Class<?> type : publicApi()) {
            for (Executable member : publicMembers(type)) {
                List<Type> types = new ArrayList<>(List.of(member.getGenericParameterTypes()));
                if (member instanceof Method method) {
                    types.add(method.getGenericReturnType());
                }
                for (Type t : types) {
                    for (Class<?> used : rawTypes(t)) {
                        if (!allowed(type, member, used)) {
                            leaks.add(type.getName() + "." + member.getName() + " uses " + used.getName());
                        }
                    }
                }
            }
        }
        assertThat(leaks).as("third-party types in public signatures").isEmpty();
    }

    @Test
    void publicMethods_neverReturnNullable() {
        Set<String> nullable = new TreeSet<>();
        for (Class<?> type : publicApi()) {
            for (Executable member : publicMembers(type)) {
                if (member instanceof Method method && Stream.of(method.getAnnotatedReturnType().getAnnotations())
                        .anyMatch(a -> a.annotationType().getSimpleName().equals("Nullable"))) {
                    nullable.add(type.getName() + "." + method.getName());
                }
            }
        }
        assertThat(org.jspecify.annotations.Nullable.class).as("JSpecify on the class path, so the check can see").isNotNull();
        nullable.removeAll(NULLABLE_RETURNS_TO_MIGRATE);
        assertThat(nullable).as("public methods declared @Nullable (return Optional instead)").isEmpty();
    }

    /** Integration classes may use the library they integrate with; builders may take a registry. */
    private static boolean allowed(Class<?> owner, Executable member, Class<?> used) {
        String name = used.getName();
        if (used.isPrimitive() || ALLOWED_PACKAGES.stream().anyMatch(name::startsWith)) {
            return true;
        }
        String ownerName = owner.getName();
        if (name.startsWith("io.micrometer.")) {
            // ops-metrics exists to integrate with Micrometer; elsewhere only the registry goes in.
            return ownerName.startsWith("io.opskit.metrics.")
                    || member.getName().equals("meterRegistry") || member.getName().equals("bindTo")
                    || ownerName.contains("Micrometer") || ownerName.contains("Prometheus");
        }
        if (name.startsWith("com.zaxxer.hikari.")) {
            return ownerName.contains("Hikari");
        }
        if (name.startsWith("com.github.benmanes.caffeine.")) {
            return ownerName.contains("Caffeine");
        }
        if (name.startsWith("jakarta.servlet.")) {
            return ownerName.contains(".servlet.") || ownerName.contains("Servlet");
        }
        if (name.startsWith("software.amazon.awssdk.")) {
            return ownerName.startsWith("io.opskit.backup.s3.");
        }
        if (name.startsWith("picocli.")) {
            return ownerName.contains(".cli.") || ownerName.endsWith("Cli");
        }
        return false;
    }

    private static List<Class<?>> publicApi() {
        return CLASSES.stream()
                .filter(c -> Modifier.isPublic(c.getModifiers()))
                .filter(c -> !c.getName().contains(".internal."))
                .filter(c -> c.getEnclosingClass() == null || Modifier.isPublic(c.getEnclosingClass().getModifiers()))
                .collect(Collectors.toList());
    }

    private static List<Executable> publicMembers(Class<?> type) {
        List<Executable> members = new ArrayList<>();
        try {
            for (Method m : type.getDeclaredMethods()) {
                if ((Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers())) && !m.isSynthetic()
                        && !m.isBridge()) {
                    members.add(m);
                }
            }
            for (Constructor<?> c : type.getDeclaredConstructors()) {
                if (Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers())) {
                    members.add(c);
                }
            }
        } catch (LinkageError e) {
            // the class refers to an optional library that is not on this class path
        }
        return members;
    }

    private static Set<Class<?>> rawTypes(Type type) {
        Set<Class<?>> out = new LinkedHashSet<>();
        collect(type, out, 0);
        return out;
    }

    private static void collect(Type type, Set<Class<?>> out, int depth) {
        if (depth > 8) {
            return;
        }
        if (type instanceof Class<?> c) {
            out.add(c.isArray() ? c.getComponentType() : c);
        } else if (type instanceof ParameterizedType p) {
            collect(p.getRawType(), out, depth + 1);
            for (Type arg : p.getActualTypeArguments()) {
                collect(arg, out, depth + 1);
            }
        } else if (type instanceof GenericArrayType g) {
            collect(g.getGenericComponentType(), out, depth + 1);
        } else if (type instanceof WildcardType w) {
            for (Type bound : w.getUpperBounds()) {
                collect(bound, out, depth + 1);
            }
            for (Type bound : w.getLowerBounds()) {
                collect(bound, out, depth + 1);
            }
        } else if (type instanceof TypeVariable<?> v) {
            for (Type bound : v.getBounds()) {
                collect(bound, out, depth + 1);
            }
        }
    }

}
