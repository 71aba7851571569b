package io.opskit.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Compiles, and runs, the Java snippets of the project's {@code README.md} exactly as a reader sees
 * them, so that they cannot rot. A snippet is the first {@code ```java} block below a heading; its
 * leading {@code import} lines are its imports and the rest is the body of a method. The values a
 * snippet uses without declaring them (a {@code dataSource}, a {@code registry}) are declared by the
 * test as {@linkplain Param parameters} and passed when it runs.
 *
 * <pre>{@code
 * ReadmeSnippets.Snippet snippet = ReadmeSnippets.forProject().section("## ops-health");
 * OpsHealth health = (OpsHealth) snippet.compile("health",
 *         Param.of("javax.sql.DataSource", "dataSource")).run(dataSource);
 * }</pre>
 */
public final class ReadmeSnippets {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path readme;
    private final List<String> lines;

    private ReadmeSnippets(Path readme) throws IOException {
        this.readme = readme;
        this.lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
    }

    /** The README at {@code path}. */
    public static ReadmeSnippets of(Path path) throws IOException {
        return new ReadmeSnippets(path);
    }

    /** The project's README: {@code ../README.md} from a module, or {@code ./README.md}. */
    public static ReadmeSnippets forProject() throws IOException {
        for (Path candidate : List.of(Path.of("..", "README.md"), Path.of("README.md"))) {
            if (Files.isRegularFile(candidate) && Files.readString(candidate).contains("## ")) {
                return of(candidate);
            }
        }
        throw new IOException("no README.md in . or ..");
    }

    /**
     * The first {@code ```java} block below the line {@code heading} and above the next heading of
     * the same or a higher level.
     *
     * @param heading the heading line exactly, such as {@code "## ops-health"}
     * @throws AssertionError when the heading or its block is missing
     */
    public Snippet section(String heading) {
        return section(heading, 0);
    }

    /**
     * The {@code index}-th (from 0) {@code ```java} block in a section.
     *
     * @throws AssertionError when the heading or the block is missing
     */
    public Snippet section(String heading, int index) {
        int start = lines.indexOf(heading);
        if (start < 0) {
            throw new AssertionError(readme + " has no heading '" + heading + "'");
        }
        int level = heading.indexOf(' ');
        int seen = 0;
        for (int i = start + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#") && line.indexOf(' ') > 0 && line.indexOf(' ') <= level
                    && line.substring(0, line.indexOf(' ')).chars().allMatch(c -> c == '#')) {
                break;
            }
            if (line.strip().equals("```java")) {
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                    end++;
                }
                if (seen++ == index) {
                    return Snippet.parse(heading, lines.subList(i + 1, end));
                }
                i = end;
            }
        }
        throw new AssertionError(readme + " has no java block #" + index + " under '" + heading + "'");
    }

    /**
     * A value the snippet uses without declaring it.
     *
     * @param type the Java type as source text, such as {@code "javax.sql.DataSource"} or
     *             {@code "com.github.benmanes.caffeine.cache.Cache<String, Object>"}
     * @param name the variable's name in the snippet
     */
    public record Param(String type, String name) {
        /** @return a parameter */
        public static Param of(String type, String name) {
            return new Param(type, name);
        }

        /** @return a parameter of a class's canonical type */
        public static Param of(Class<?> type, String name) {
            return new Param(type.getCanonicalName(), name);
        }
    }

    /** One snippet: its imports and its body. */
    public record Snippet(String heading, List<String> imports, String body, String members) {

        Snippet(String heading, List<String> imports, String body) {
            this(heading, imports, body, "");
        }

        /**
         * The same snippet with Java members (static methods the snippet calls as the host's own
         * code, such as a JSON helper) added to the class it is compiled in.
         *
         * @param source member declarations as source text, using fully qualified type names or the
         *               snippet's own imports
         */
        public Snippet withMembers(String source) {
            return new Snippet(heading, imports, body, members + source + "\n");
        }

        static Snippet parse(String heading, List<String> block) {
            List<String> imports = new ArrayList<>();
            int i = 0;
            while (i < block.size() && (block.get(i).startsWith("import ") || block.get(i).isBlank())) {
                if (!block.get(i).isBlank()) {
                    imports.add(block.get(i).strip());
                }
                i++;
            }
            return new Snippet(heading, List.copyOf(imports),
                    block.subList(i, block.size()).stream().collect(Collectors.joining("\n")));
        }

        /**
         * Compiles the snippet against the test class path.
         *
         * @param returned the name of a variable the snippet declares, returned by {@link
         *                 Compiled#run}, or null to return nothing
         * @param params   the values it uses without declaring them
         * @throws AssertionError with the compiler's messages when it does not compile
         */
        public Compiled compile(String returned, Param... params) throws IOException {
            String className = "ReadmeSnippet" + COUNTER.incrementAndGet();
            String signature = List.of(params).stream().map(p -> p.type() + " " + p.name())
                    .collect(Collectors.joining(", "));
            String source = "package opskit.readme;\n"
                    + String.join("\n", imports) + "\n"
                    + "public final class " + className + " {\n"
                    + "  public static Object run(" + signature + ") throws Exception {\n"
                    + body + "\n"
                    + "    return " + (returned == null ? "null" : returned) + ";\n"
                    + "  }\n" + members + "}\n";
            Path dir = Files.createTempDirectory("readme-snippet");
            Path file = dir.resolve("opskit/readme/" + className + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source);
            JavaCompiler compiler = Objects.requireNonNull(ToolProvider.getSystemJavaCompiler(),
                    "a JDK (not a JRE) is needed to compile README snippets");
            StringWriter messages = new StringWriter();
            var fileManager = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8);
            Boolean ok = compiler.getTask(messages, fileManager, null,
                    List.of("-classpath", testClassPath(), "-d", dir.toString(), "-proc:none", "-nowarn"),
                    null, fileManager.getJavaFileObjects(file)).call();
            fileManager.close();
            if (!Boolean.TRUE.equals(ok)) {
                throw new AssertionError("the README snippet under '" + heading + "' does not compile:\n"
                        + messages + "\n--- generated source ---\n" + source);
            }
            URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                    Thread.currentThread().getContextClassLoader());
            try {
                Class<?> type = loader.loadClass("opskit.readme." + className);
                Method run = List.of(type.getMethods()).stream().filter(m -> m.getName().equals("run"))
                        .findFirst().orElseThrow();
                return new Compiled(run);
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
        }

        private static String testClassPath() {
            String surefire = System.getProperty("surefire.test.class.path");
            if (surefire != null && !surefire.isBlank()) {
                return surefire;
            }
            return System.getProperty("java.class.path", "") + File.pathSeparator
                    + System.getProperty("jdk.module.path", "");
        }
    }

    /** A compiled snippet, ready to run. */
    public static final class Compiled {
        private final Method run;

        Compiled(Method run) {
            this.run = run;
        }

        /**
         * Runs the snippet with values for its parameters, in order.
         *
         * @return the value of the {@code returned} variable, or null
         * @throws Exception whatever the snippet throws
         */
        public Object run(Object... args) throws Exception {
            try {
                return run.invoke(null, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }
    }
}
