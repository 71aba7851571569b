package io.opskit.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opskit.api.backup.BackupSource;
import io.opskit.api.backup.RestoreOptions;
import io.opskit.api.backup.RestoreTarget;
import io.opskit.backup.cli.BackupCli;
import io.opskit.testsupport.Services;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis snapshot taken online from the machine's shared server over the replication protocol,
 * checked by redis-check-rdb, restored as dump.rdb and loaded by a real redis-server.
 */
class RedisBackupTest {

    private static final int SHARED = 6379;

    @TempDir
    Path dir;

    private final String prefix = "opskit-backup-test:" + UUID.randomUUID() + ":";

    @BeforeEach
    void requireRedis() {
        Services.redis();
        Services.command("redis-check-rdb");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (Services.listening(SHARED)) {
            try (Resp redis = new Resp(SHARED)) {
                List<String> keys = redis.array("KEYS", prefix + "*");
                for (String k : keys) {
                    redis.call("DEL", k);
                }
            }
        }
    }

    @Test
    void redis_backupVerifyAtLevelThreeRestore_aServerStartedOnTheRestoredDirectoryHasTheKeys() throws Exception {
        try (Resp redis = new Resp(SHARED)) {
            redis.call("SET", prefix + "greeting", "hello");
            redis.call("RPUSH", prefix + "queue", "a", "b", "c");
            redis.call("HSET", prefix + "user:1", "name", "Ada", "plan", "pro");
        }
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                .source(BackupSources.redis("cache", "127.0.0.1", SHARED))
                .verifyLevel(VerifyLevel.TEST_RESTORE).scratchDirectory(dir.resolve("scratch")).build();

        BackupManifest made = repository.backup();

        assertThat(made.sources()).singleElement().satisfies(s -> assertThat(s.kind()).isEqualTo("redis"));
        assertThat(made.verifiedAtLeast(VerifyLevel.TEST_RESTORE)).isTrue();
        Path out = dir.resolve("restored");
        repository.restore(made.id(), RestoreTarget.directory(out), RestoreOptions.defaults());
        assertThat(Files.readString(out.resolve("RESTORE-REDIS.txt"))).contains("redis-server --dir " + out)
                .contains(made.id()).contains("SHUTDOWN NOSAVE");
        assertThatThrownBy(() -> repository.restore(made.id(), RestoreTarget.directory(out), RestoreOptions.defaults()))
                .isInstanceOf(RestoreRefusedException.class).hasMessageContaining("dump.rdb exists");
        repository.restore(made.id(), RestoreTarget.directory(out), RestoreOptions.forced());
        try (var names = Files.list(out)) {
            assertThat(names.map(p -> p.getFileName().toString()))
                    .allMatch(n -> n.equals("dump.rdb") || n.equals("RESTORE-REDIS.txt") || n.startsWith("dump.rdb.before-restore-"))
                    .contains("dump.rdb", "RESTORE-REDIS.txt");
        }

        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Process server = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", out.toString(), "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try (Resp restored = Resp.await(port, server)) {
            assertThat(restored.call("GET", prefix + "greeting")).isEqualTo("hello");
            assertThat(restored.array("LRANGE", prefix + "queue", "0", "-1")).containsExactly("a", "b", "c");
            assertThat(restored.call("HGET", prefix + "user:1", "plan")).isEqualTo("pro");
            restored.send("SHUTDOWN", "NOSAVE");
        } finally {
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void finding10_redisSourceOnTheCommandLine_isNamedBackedUpListedAndRestoredUnderItsName() throws Exception {
        try (Resp redis = new Resp(SHARED)) {
            redis.call("SET", prefix + "cli", "from the cli");
        }
        Path repo = dir.resolve("cli-repo");
        Path key = dir.resolve("cli-key");
        KeyFile.loadOrCreate(key);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BackupCli.run(new String[] {"backup", "--repo", repo.toString(), "--key-file", key.toString(),
                "--source", "sessions=redis:127.0.0.1:" + SHARED}, new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8), false);
        assertThat(code).as(err.toString(UTF_8)).isZero();
        List<String> lines = out.toString(UTF_8).lines().toList();
        String id = lines.get(lines.size() - 1);

        BackupRepository application = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key)).build();
        assertThat(application.manifest(id).sources()).singleElement().satisfies(s -> {
            assertThat(s.name()).isEqualTo("sessions");
            assertThat(s.kind()).isEqualTo("redis");
        });
        Path restored = dir.resolve("cli-restored");
        application.restore(id, "sessions", RestoreTarget.directory(restored), RestoreOptions.defaults());
        assertThat(Files.readAllBytes(restored.resolve("dump.rdb"))).containsSequence(
                ("from the cli").getBytes(UTF_8));

        ByteArrayOutputStream badErr = new ByteArrayOutputStream();
        int bad = BackupCli.run(new String[] {"backup", "--repo", repo.toString(), "--key-file", key.toString(),
                "--source", "redis:127.0.0.1:six"}, new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
                new PrintStream(badErr, true, UTF_8), false);
        assertThat(bad).isEqualTo(2);
        assertThat(badErr.toString(UTF_8)).contains("the port after the host must be a number");
    }

    @Test
    void finding5_redisRestoreKilledAtEveryStep_leavesDumpRdbAbsentOrWhole_andTheNextRestoreLeavesNoTemporaries() throws Exception {
        try (Resp redis = new Resp(SHARED)) {
            redis.call("SET", prefix + "k", "v");
        }
        Path repo = dir.resolve("repo");
        Path key = dir.resolve("k");
        KeyFile.loadOrCreate(key);
        BackupRepository repository = BackupRepository.builder().directory(repo).keyProvider(KeyFile.load(key))
                .source(BackupSources.redis("cache", "127.0.0.1", SHARED)).build();
        BackupManifest made = repository.backup();
        int k = 1;
        for (; ; k++) {
            Path out = dir.resolve("round" + k);
            boolean finished = RestoreCrashTest.restoreInChild(repo, key, made.id(), out, false, k);
            if (Files.exists(out.resolve("dump.rdb"))) {
                assertThat(RedisRestoreStrategy.checkRdb(out.resolve("dump.rdb"))).as("after a kill at point %d", k).isEmpty();
                assertThat(Files.size(out.resolve("dump.rdb"))).isEqualTo(made.sources().get(0).snapshotBytes());
            }
            if (finished) {
                break;
            }
            repository.restore(made.id(), RestoreTarget.directory(out), RestoreOptions.forced());
            try (var names = Files.list(out)) {
                assertThat(names.map(p -> p.getFileName().toString()))
                        .allMatch(n -> n.equals("dump.rdb") || n.equals("RESTORE-REDIS.txt") || n.startsWith("dump.rdb.before-restore-"));
            }
        }
        assertThat(k).as("crash points of a Redis restore").isGreaterThanOrEqualTo(3);
    }

    @Test
    void redis_wrongPassword_failsTheBackupWithoutShowingIt() {
        String secret = "not-the-password-" + UUID.randomUUID();
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k")))
                .source(BackupSources.redis("cache", "127.0.0.1", SHARED, Optional.empty(), Optional.of(secret))).build();

        assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class)
                .hasMessageContaining("refused the credentials").hasMessageNotContaining(secret);
        assertThat(repository.list()).isEmpty();
    }

    @Test
    void redis_snapshotThatIsNoRdb_failsLevelThreeThroughRedisCheckRdb() {
        BackupSource notAnRdb = new BackupSource() {
            @Override
            public String name() {
                return "cache";
            }

            @Override
            public String kind() {
                return "redis";
            }

            @Override
            public void writeSnapshot(OutputStream out) throws IOException {
                out.write("REDIS0010 but then nothing that parses".getBytes(StandardCharsets.US_ASCII));
            }
        };
        BackupRepository repository = BackupRepository.builder().directory(dir.resolve("repo"))
                .keyProvider(KeyFile.loadOrCreate(dir.resolve("k"))).source(notAnRdb).build();
        BackupManifest made = repository.backup();

        assertThatThrownBy(() -> repository.verify(made.id(), VerifyLevel.TEST_RESTORE))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("redis-check-rdb");
        assertThatThrownBy(() -> repository.restore(made.id(), RestoreTarget.directory(dir.resolve("out")), RestoreOptions.defaults()))
                .isInstanceOf(BackupIntegrityException.class).hasMessageContaining("the target was not touched");
        assertThat(dir.resolve("out").resolve("dump.rdb")).doesNotExist();
    }

    @Test
    void redis_badPort_isRefusedNamingIt() {
        assertThatThrownBy(() -> BackupSources.redis("cache", "127.0.0.1", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("port must be 1-65535: 0");
    }

    /** A minimal RESP client for the test's own keys. */
    static final class Resp implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Resp(int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(10_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        /** Connects once the server started by {@code process} accepts connections and has loaded its data. */
        static Resp await(int port, Process process) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true) {
                assertThat(process.isAlive()).as("redis-server is running").isTrue();
                try {
                    Resp r = new Resp(port);
                    if ("PONG".equals(r.call("PING"))) {
                        return r;
                    }
                    r.close();
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                process.waitFor(50, TimeUnit.MILLISECONDS); // returns at once if it exits
            }
        }

        void send(String... args) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            for (String a : args) {
                byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
                b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
                b.writeBytes(bytes);
                b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.write(b.toByteArray());
            out.flush();
        }

        String call(String... args) throws IOException {
            send(args);
            Object reply = read();
            return reply == null ? "" : reply.toString();
        }

        @SuppressWarnings("unchecked")
        List<String> array(String... args) throws IOException {
            send(args);
            return (List<String>) read();
        }

        private Object read() throws IOException {
            String line = line();
            switch (line.charAt(0)) {
                case '+', ':' -> {
                    return line.substring(1);
                }
                case '-' -> throw new IOException(line.substring(1));
                case '$' -> {
                    int n = Integer.parseInt(line.substring(1));
                    if (n < 0) {
                        return null;
                    }
                    byte[] data = in.readNBytes(n + 2);
                    return new String(data, 0, n, StandardCharsets.UTF_8);
                }
                case '*' -> {
                    int n = Integer.parseInt(line.substring(1));
                    List<String> items = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        items.add(String.valueOf(read()));
                    }
                    return items;
                }
                default -> throw new IOException("unexpected reply " + line);
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("closed");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
