package io.opskit.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host that is itself a named JPMS module compiles and runs with only the modules it needs:
 * one that requires io.opskit.health alone (no HikariCP, Servlet API or Micrometer on its module
 * path), and one that requires every module and every optional integration.
 */
class NamedModuleTest {

    private static final Map<String, Path> MODULES = new HashMap<>();

    @TempDir
    Path work;

    @BeforeAll
    static void findModules() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        for (String entry : classPath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.exists(path) || entry.contains("test-classes")) {
                continue;
            }
            try {
                for (ModuleReference ref : ModuleFinder.of(path).findAll()) {
                    MODULES.putIfAbsent(ref.descriptor().name(), path);
                }
            } catch (FindException e) {
                // not usable as a module (no stable automatic name): a named host could not use it either
            }
        }
        assertThat(MODULES).containsKeys("io.opskit.api", "io.opskit.health");
    }

    @Test
    void namedModule_requiringOnlyOpsHealth_compilesAndRunsWithoutOptionalLibraries() throws Exception {
        String moduleInfo = "module demo.health { requires io.opskit.health; }";
        String main = """
                package demo;
                import io.opskit.api.health.HealthResult;
                import io.opskit.health.CheckOptions;
                import io.opskit.health.OpsHealth;
                public final class Main {
                    public static void main(String[] args) throws Exception {
                        try (OpsHealth health = OpsHealth.builder()
                                .register("always", HealthResult::up, CheckOptions.defaults())
                                .build()) {
                            System.out.println("status=" + health.check().status());
                        }
                    }
                }
                """;
        Set<String> modulePath = closure(List.of("io.opskit.health"));
        assertThat(modulePath).doesNotContain("com.zaxxer.hikari", "jakarta.servlet", "micrometer.core");
        String out = compileAndRun("demo.health", moduleInfo, main, modulePath);
        assertThat(out).contains("status=UP");
    }

    @Test
    void namedModule_requiringEveryIntegration_compilesAndRuns() throws Exception {
        List<String> opskit = MODULES.keySet().stream().filter(n -> n.startsWith("io.opskit.")).sorted()
                .collect(Collectors.toList());
        // micrometer.core reads micrometer.commons and micrometer.observation only through static requires.
        List<String> integrations = List.of("micrometer.core", "micrometer.commons", "micrometer.observation",
                "com.zaxxer.hikari", "com.github.benmanes.caffeine", "jakarta.servlet", "org.xerial.sqlitejdbc");
        List<String> roots = new ArrayList<>(opskit);
        roots.addAll(integrations.stream().filter(MODULES::containsKey).collect(Collectors.toList()));
        assertThat(roots).contains("micrometer.core", "com.zaxxer.hikari");
        String moduleInfo = "module demo.all {\n" + roots.stream().map(r -> "  requires " + r + ";\n")
                .collect(Collectors.joining()) + "}";
        String main = """
                package demo;
                import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
                import io.opskit.api.health.HealthResult;
                import io.opskit.health.CheckOptions;
                import io.opskit.health.OpsHealth;
                public final class Main {
                    public static void main(String[] args) throws Exception {
                        SimpleMeterRegistry registry = new SimpleMeterRegistry();
                        try (OpsHealth health = OpsHealth.builder()
                                .register("always", HealthResult::up, CheckOptions.defaults())
                                .meterRegistry(registry)
                                .build()) {
                            System.out.println("status=" + health.check().status());
                        }
                        System.out.println("hikari=" + com.zaxxer.hikari.HikariConfig.class.getSimpleName());
                    }
                }
                """;
        String out = compileAndRun("demo.all", moduleInfo, main, closure(roots));
        assertThat(out).contains("status=UP").contains("hikari=HikariConfig");
    }

    @Test
    void namedModule_backupWithGzipWithoutZstdJni_runs_andZstdNamesTheMissingDependency() throws Exception {
        String moduleInfo = "module demo.backup { requires io.opskit.backup; }";
        String main = """
                package demo;
                import io.opskit.backup.BackupManifest;
                import io.opskit.backup.BackupRepository;
                import io.opskit.backup.BackupSources;
                import io.opskit.backup.Compression;
                import io.opskit.backup.KeyFile;
                import java.nio.file.Files;
                import java.nio.file.Path;
                import java.util.List;
                public final class Main {
                    public static void main(String[] args) throws Exception {
                        Path dir = Path.of(args[0]);
                        Files.createDirectories(dir.resolve("config"));
                        Files.writeString(dir.resolve("config/app.properties"), "greeting=hello");
                        BackupRepository repository = BackupRepository.builder()
                                .directory(dir.resolve("backups"))
                                .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                                .source(BackupSources.files("config", dir.resolve("config"), List.of("**"), List.of()))
                                .compression(Compression.gzip())
                                .build();
                        BackupManifest made = repository.backup();
                        repository.restore(made.id(), "config", dir.resolve("restored").toString(), false);
                        System.out.println("restored=" + Files.readString(dir.resolve("restored/app.properties")));
                        try {
                            Compression.zstd();
                            System.out.println("zstd=available");
                        } catch (IllegalStateException e) {
                            System.out.println("zstd=" + e.getMessage());
                        }
                    }
                }
                """;
        Set<String> modulePath = closure(List.of("io.opskit.backup"));
        assertThat(modulePath).doesNotContain("com.github.luben.zstd_jni");
        Path data = Files.createDirectories(work.resolve("data"));
        String out = compileAndRun("demo.backup", moduleInfo, main, modulePath, data.toString());
        assertThat(out).contains("restored=greeting=hello")
                .contains("zstd=zstd compression needs the optional dependency com.github.luben:zstd-jni");
    }

    /** The modules {@code roots} need at run time: their non-static requires, transitively. */
    private static Set<String> closure(List<String> roots) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (name.startsWith("java.") || name.startsWith("jdk.") || !seen.add(name)) {
                continue;
            }
            Path path = MODULES.get(name);
            assertThat(path).as("module %s on the test class path", name).isNotNull();
            Optional<ModuleReference> ref = ModuleFinder.of(path).find(name);
            for (ModuleDescriptor.Requires requires : ref.orElseThrow().descriptor().requires()) {
                if (!requires.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)) {
                    todo.push(requires.name());
                }
            }
        }
        return seen;
    }

    private String compileAndRun(String module, String moduleInfo, String main, Set<String> modules,
                                 String... args) throws Exception {
        Path src = work.resolve("src");
        Files.createDirectories(src.resolve("demo"));
        Files.writeString(src.resolve("module-info.java"), moduleInfo);
        Files.writeString(src.resolve("demo/Main.java"), main);
        Path out = work.resolve("out");
        String modulePath = modules.stream().map(MODULES::get).map(Path::toString).distinct()
                .collect(Collectors.joining(File.pathSeparator));
        Path javaHome = Path.of(System.getProperty("java.home"));
        run(List.of(javaHome.resolve("bin/javac").toString(), "--module-path", modulePath, "-d", out.toString(),
                src.resolve("module-info.java").toString(), src.resolve("demo/Main.java").toString()));
        List<String> java = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString(), "--module-path",
                out + File.pathSeparator + modulePath, "-m", module + "/demo.Main"));
        java.addAll(List.of(args));
        return run(java);
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        assertThat(process.exitValue()).as("exit code of %s; output:%n%s", command, output).isZero();
        return output;
    }
}
