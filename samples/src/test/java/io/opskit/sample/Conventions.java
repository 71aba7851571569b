package io.opskit.sample;

import io.opskit.api.Ticker;
import io.opskit.api.notify.Notifier;
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
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The conventions of CONTRIBUTING.md that a machine can check, as functions from classes (or module
 * descriptors) to the violations found, each named {@code Type.member ...}. {@link ConventionsTest}
 * applies them to every published module; {@link ConventionsFixturesTest} shows that each one finds a
 * violation in a fixture class, so that a check cannot silently pass everything.
 */
final class Conventions {

    /** Packages any public signature may use. */
    static final List<String> ALLOWED_PACKAGES = List.of("java.", "javax.sql.", "javax.net.",
            "javax.crypto.", "javax.security.", "com.sun.net.httpserver.", "io.opskit.");

    /** What the single argument of each builder method of CONTRIBUTING's table must be. */
    static final Map<String, Class<?>> BUILDER_ARGUMENTS = Map.of(
            "clock", Clock.class,
            "ticker", Ticker.class,
            "executor", Executor.class,
            "scheduler", ScheduledExecutorService.class,
            "notifier", Notifier.class);

    private Conventions() {
    }

    /** The public types among {@code classes} that are API: public, outside {@code .internal.} packages. */
    static List<Class<?>> publicApi(Collection<Class<?>> classes) {
        return classes.stream()
                .filter(c -> Modifier.isPublic(c.getModifiers()))
                .filter(c -> !c.getName().contains(".internal."))
                .filter(c -> c.getEnclosingClass() == null || Modifier.isPublic(c.getEnclosingClass().getModifiers()))
                .collect(Collectors.toList());
    }

    /** Builders whose {@code notifier(Notifier)} keeps one notifier (a field of that type) instead of adding. */
    static Set<String> replacingNotifiers(Collection<Class<?>> api) {
        Set<String> replacing = new TreeSet<>();
        for (Class<?> type : api) {
            for (Method method : declaredMethods(type)) {
                if (method.getName().equals("notifier") && Modifier.isPublic(method.getModifiers())
                        && method.getParameterCount() == 1 && method.getParameterTypes()[0] == Notifier.class) {
                    for (Field field : declaredFields(type)) {
                        if (!Modifier.isStatic(field.getModifiers()) && field.getType() == Notifier.class) {
                            replacing.add(type.getName() + "." + field.getName());
                        }
                    }
                    boolean collects = declaredFields(type).stream()
                            .anyMatch(f -> Collection.class.isAssignableFrom(f.getType()));
                    if (!collects) {
                        replacing.add(type.getName() + " (no collection of notifiers)");
                    }
                }
            }
        }
        return replacing;
    }

    /**
     * Public members that take a {@code MeterRegistry} other than {@code meterRegistry(r)} on a
     * builder and {@code bindTo(r)} on a {@code MeterBinder}: a second way to pass a registry.
     */
    static Set<String> otherRegistryWays(Collection<Class<?>> api) {
        Set<String> otherWays = new TreeSet<>();
        for (Class<?> type : api) {
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
        return otherWays;
    }

    /**
     * Internal packages exported to everyone, or to a module that is not an Opskit sibling, and
     * optional dependencies forced on named modules ({@code requires static transitive}).
     */
    static Set<String> internalExports(Collection<ModuleDescriptor> descriptors) {
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor descriptor : descriptors) {
            for (ModuleDescriptor.Exports export : descriptor.exports()) {
                if (!export.source().contains(".internal")) {
                    continue;
                }
                if (!export.isQualified()) {
                    exported.add(descriptor.name() + " exports " + export.source());
                } else {
                    for (String target : export.targets()) {
                        if (!target.startsWith("io.opskit.")) {
                            exported.add(descriptor.name() + " exports " + export.source() + " to " + target);
                        }
                    }
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
        return exported;
    }

    /** Third-party types in public signatures outside the classes that exist to integrate with them. */
    static Set<String> thirdPartyLeaks(Collection<Class<?>> api) {
        Set<String> leaks = new TreeSet<>();
        for (Class<?> type : api) {
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
            for (Field field : declaredFields(type)) {
                if (Modifier.isPublic(field.getModifiers())) {
                    for (Class<?> used : rawTypes(field.getGenericType())) {
                        if (!allowed(type, null, used)) {
                            leaks.add(type.getName() + "." + field.getName() + " uses " + used.getName());
                        }
                    }
                }
            }
        }
        return leaks;
    }

    /** Public methods and public fields declared {@code @Nullable}: absence must be an {@code Optional}. */
    static Set<String> nullableReturns(Collection<Class<?>> api) {
        Set<String> nullable = new TreeSet<>();
        for (Class<?> type : api) {
            for (Executable member : publicMembers(type)) {
                if (member instanceof Method method && isNullable(method.getAnnotatedReturnType().getAnnotations())) {
                    nullable.add(type.getName() + "." + method.getName());
                }
            }
            for (Field field : declaredFields(type)) {
                if (Modifier.isPublic(field.getModifiers()) && isNullable(field.getAnnotatedType().getAnnotations())) {
                    nullable.add(type.getName() + "." + field.getName());
                }
            }
        }
        return nullable;
    }

    /**
     * Public {@code start()} methods of long-lived components: {@code build()} returns a running
     * component, so a no-argument {@code start} that returns nothing, the component itself, or is
     * declared on an {@code AutoCloseable}, is a second lifecycle. ({@code RequestMetrics.start()},
     * which returns a request's start time, is not a lifecycle method.)
     */
    static Set<String> startMethods(Collection<Class<?>> api) {
        Set<String> starts = new TreeSet<>();
        for (Class<?> type : api) {
            for (Executable member : publicMembers(type)) {
                if (member instanceof Method method && !Modifier.isStatic(method.getModifiers())
                        && method.getName().equals("start") && method.getParameterCount() == 0) {
                    Class<?> returned = method.getReturnType();
                    boolean lifecycle = returned == void.class || returned.isAssignableFrom(type)
                            || AutoCloseable.class.isAssignableFrom(type);
                    if (lifecycle) {
                        starts.add(type.getName() + ".start()");
                    }
                }
            }
        }
        return starts;
    }

    /**
     * Builder methods of CONTRIBUTING's table ({@code clock}, {@code ticker}, {@code executor},
     * {@code scheduler}, {@code notifier}) that take anything but their one type: a clock is a
     * {@code Clock} (not a {@code LongSupplier}), a ticker an ops-api {@code Ticker}, and so on.
     */
    static Set<String> builderArgumentTypes(Collection<Class<?>> api) {
        Set<String> wrong = new TreeSet<>();
        for (Class<?> type : api) {
            for (Executable member : publicMembers(type)) {
                Class<?> expected = BUILDER_ARGUMENTS.get(member.getName());
                if (expected == null || !(member instanceof Method method) || Modifier.isStatic(method.getModifiers())
                        || member.getParameterCount() == 0) {
                    continue;
                }
                if (member.getParameterCount() != 1 || member.getParameterTypes()[0] != expected) {
                    wrong.add(type.getName() + "." + member.getName() + "("
                            + Stream.of(member.getParameterTypes()).map(Class::getSimpleName)
                                    .collect(Collectors.joining(", "))
                            + ") must take one " + expected.getSimpleName());
                }
            }
        }
        return wrong;
    }

    /**
     * Public unchecked exception types that neither extend {@code io.opskit.api.OpsException} (an
     * operational refusal) nor {@code IllegalArgumentException}/{@code IllegalStateException} (a
     * programming error), so a host cannot catch Opskit's refusals by one type.
     */
    static Set<String> exceptionsOutsideOpsException(Collection<Class<?>> api) {
        Set<String> outside = new TreeSet<>();
        for (Class<?> type : api) {
            if (!RuntimeException.class.isAssignableFrom(type) || type.getName().equals("io.opskit.api.OpsException")) {
                continue;
            }
            boolean ops = false;
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                if (c.getName().equals("io.opskit.api.OpsException")) {
                    ops = true;
                }
            }
            boolean programmingError = IllegalArgumentException.class.isAssignableFrom(type)
                    || IllegalStateException.class.isAssignableFrom(type);
            if (!ops && !programmingError) {
                outside.add(type.getName());
            }
        }
        return outside;
    }

    /** Integration classes may use the library they integrate with; builders may take a registry. */
    private static boolean allowed(Class<?> owner, Executable member, Class<?> used) {
        String name = used.getName();
        if (used.isPrimitive() || ALLOWED_PACKAGES.stream().anyMatch(name::startsWith)) {
            return true;
        }
        String ownerName = owner.getName();
        String memberName = member == null ? "" : member.getName();
        if (name.startsWith("io.micrometer.")) {
            // ops-metrics exists to integrate with Micrometer; elsewhere only the registry goes in.
            return ownerName.startsWith("io.opskit.metrics.")
                    || memberName.equals("meterRegistry") || memberName.equals("bindTo")
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

    private static boolean isNullable(java.lang.annotation.Annotation[] annotations) {
        return Stream.of(annotations).anyMatch(a -> a.annotationType().getSimpleName().equals("Nullable"));
    }

    private static List<Method> declaredMethods(Class<?> type) {
        try {
            return List.of(type.getDeclaredMethods());
        } catch (LinkageError e) {
            return List.of(); // the class refers to an optional library that is not on this class path
        }
    }

    private static List<Field> declaredFields(Class<?> type) {
        try {
            return List.of(type.getDeclaredFields());
        } catch (LinkageError e) {
            return List.of();
        }
    }

    static List<Executable> publicMembers(Class<?> type) {
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
