package io.opskit.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import io.opskit.api.backup.BackupSource;
import io.opskit.api.health.HealthResult;
import io.opskit.api.health.HealthStatus;
import io.opskit.api.notify.OpsEvent;
import io.opskit.backup.BackupFailedException;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.Compression;
import io.opskit.backup.KeyFile;
import io.opskit.health.OpsHealth;
import io.opskit.testsupport.Services;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The publishing modules with real notifiers behind them: what a host wires. */
class PublisherEndToEndTest {

    @TempDir
    Path dir;

    private static BackupSource throwingSource() {
        return new BackupSource() {
            @Override
            public String name() {
                return "orders";
            }

            @Override
            public String kind() {
                return "custom";
            }

            @Override
            public void writeSnapshot(OutputStream out) throws IOException {
                throw new IOException("connection refused to postgres://app:" + TestEvents.CANARY_PASSWORD + "@db/x");
            }
        };
    }

    @Test
    void backup_sourceThrows_exactlyOneBackupFailedEventDeliveredAsEmail() throws Exception {
        GreenMail mail = new GreenMail(EmailNotifierTest.slowMachine(ServerSetupTest.SMTP));
        mail.start();
        try {
            List<OpsEvent> heard = new CopyOnWriteArrayList<>();
            AsyncNotifier email = EmailNotifier.builder().host("127.0.0.1").port(mail.getSmtp().getPort())
                    .from("opskit@example.com").to("ops@example.com").build();
            BackupRepository repository = BackupRepository.builder()
                    .directory(dir.resolve("repo")).name("nightly")
                    .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                    .source(throwingSource())
                    .notifier(heard::add)
                    .notifier(email)
                    .build();

            assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class);
            email.close();

            assertThat(heard).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo("backup.failed");
                assertThat(e.source()).isEqualTo("backup:nightly/orders");
            });
            assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
            assertThat(mail.getReceivedMessages()).hasSize(1);
            MimeMessage m = mail.getReceivedMessages()[0];
            assertThat(m.getSubject()).startsWith("[opskit] CRITICAL backup.failed backup:nightly/orders:");
            String body = GreenMailUtil.getBody(m);
            assertThat(body).contains("repository = nightly", "source = orders", "Severity: CRITICAL");
            assertThat(GreenMailUtil.getWholeMessage(m)).doesNotContain(TestEvents.CANARY_PASSWORD);
        } finally {
            mail.stop();
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** Every regular file under {@code root} with its size. */
    private static Map<String, Long> files(Path root) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.size(p));
            }
        }
        return files;
    }

    /**
     * The repository lives on a 2 MiB tmpfs (a real file system that runs out of space: ENOSPC from
     * the kernel) and the source is 3 MiB of incompressible data. Mounting needs root, as CI has.
     */
    @Test
    void backup_diskFull_exactlyOneBackupFailedEventDeliveredAsEmail() throws Exception {
        Path small = dir.resolve("small");
        Files.createDirectories(small);
        Services.require("a 2 MiB tmpfs for the full-disk test (mount -t tmpfs needs root)",
                () -> mounted(small));
        GreenMail mail = new GreenMail(EmailNotifierTest.slowMachine(ServerSetupTest.SMTP));
        try {
            mail.start();
            Path repo = small.resolve("repo");
            Path config = dir.resolve("config");
            Files.createDirectories(config);
            Files.writeString(config.resolve("app.properties"), "app.name=test\n");
            Path uploads = dir.resolve("uploads");
            Files.createDirectories(uploads);
            byte[] noise = new byte[3 << 20];
            new Random(7).nextBytes(noise);
            Files.write(uploads.resolve("uploads.bin"), noise);
            KeyFile key = KeyFile.loadOrCreate(dir.resolve("backup.key"));
            BackupManifest first = BackupRepository.builder().directory(repo).name("nightly").keyProvider(key)
                    .source(BackupSources.files("config", config)).build().backup();
            Map<String, Long> before = files(repo);

            List<OpsEvent> heard = new CopyOnWriteArrayList<>();
            AsyncNotifier email = EmailNotifier.builder().host("127.0.0.1").port(mail.getSmtp().getPort())
                    .from("opskit@example.com").to("ops@example.com").build();
            BackupRepository repository = BackupRepository.builder().directory(repo).name("nightly").keyProvider(key)
                    .source(BackupSources.files("uploads", uploads)).compression(Compression.none())
                    .notifier(heard::add).notifier(email).build();

            assertThatThrownBy(repository::backup).isInstanceOf(BackupFailedException.class)
                    .hasMessageContaining("no space left on the device");
            email.close();

            assertThat(heard).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo("backup.failed");
                assertThat(e.source()).isEqualTo("backup:nightly/uploads");
                assertThat(e.labels()).containsEntry("repository", "nightly").containsEntry("source", "uploads")
                        .containsEntry("reason", "disk_full");
            });
            assertThat(mail.waitForIncomingEmail(10_000, 1)).isTrue();
            assertThat(mail.getReceivedMessages()).hasSize(1);
            MimeMessage m = mail.getReceivedMessages()[0];
            assertThat(m.getSubject()).startsWith("[opskit] CRITICAL backup.failed backup:nightly/uploads:")
                    .contains("no space left");
            assertThat(m.getHeader("X-Opskit-Event-Type")).containsExactly("backup.failed");
            assertThat(GreenMailUtil.getBody(m)).contains("repository = nightly", "source = uploads",
                    "reason = disk_full");

            assertThat(repository.list()).extracting(BackupManifest::id).containsExactly(first.id());
            assertThat(files(repo)).as("the repository is as it was: no partial snapshot").isEqualTo(before);
        } finally {
            mail.stop();
            assertThat(run("umount", small.toString())).as("umount " + small).isZero();
        }
    }

    private static boolean mounted(Path at) {
        try {
            return run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", at.toString()) == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A webhook receiver that accepts the connection and then hangs (up to 30 s) without answering. */
    static final class HangingReceiver implements AutoCloseable {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final HttpServer server;
        final ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "hanging-receiver");
            t.setDaemon(true);
            return t;
        });

        HangingReceiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
            server.createContext("/", exchange -> {
                entered.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(200, -1);
                exchange.close();
            });
            server.setExecutor(executor);
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        }

        @Override
        public void close() {
            release.countDown();
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static AsyncNotifier hook(HangingReceiver receiver) {
        return WebhookNotifier.builder().url(receiver.uri()).timeout(Duration.ofSeconds(30))
                .delivery(Delivery.builder().drainTimeout(Duration.ofMillis(100)).build()).build();
    }

    @Test
    void backup_receiverHangs30s_backupFinishesWhileReceiverStillHangs() throws Exception {
        Files.createDirectories(dir.resolve("config"));
        Files.writeString(dir.resolve("config/app.properties"), "app.name=test\n");
        try (HangingReceiver receiver = new HangingReceiver(); AsyncNotifier hook = hook(receiver)) {
            BackupRepository repository = BackupRepository.builder()
                    .directory(dir.resolve("repo")).name("nightly")
                    .keyProvider(KeyFile.loadOrCreate(dir.resolve("backup.key")))
                    .source(BackupSources.files("config", dir.resolve("config")))
                    .notifier(hook)
                    .build();

            long start = System.nanoTime();
            repository.backup();
            repository.backup();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(receiver.entered.await(20, TimeUnit.SECONDS)).as("the receiver got the first event").isTrue();
            assertThat(receiver.release.getCount()).as("the receiver is still hanging").isEqualTo(1);
            assertThat(tookMillis).as("two backups while the receiver hangs 30 s").isLessThan(20_000);
            assertThat(hook.queueDepth()).isEqualTo(2);
        }
    }

    @Test
    void health_receiverHangs30s_healthCheckAnswersWhileReceiverStillHangs() throws Exception {
        AtomicBoolean down = new AtomicBoolean();
        try (HangingReceiver receiver = new HangingReceiver(); AsyncNotifier hook = hook(receiver);
             OpsHealth health = OpsHealth.builder()
                     .register("db", () -> down.get() ? HealthResult.down("connection refused") : HealthResult.up())
                     .notifier(hook)
                     .build()) {
            assertThat(health.check().status()).isEqualTo(HealthStatus.UP);
            down.set(true);
            long start = System.nanoTime();
            assertThat(health.check().status()).isEqualTo(HealthStatus.DOWN);
            assertThat(receiver.entered.await(20, TimeUnit.SECONDS)).isTrue();
            down.set(false);
            assertThat(health.check().status()).isEqualTo(HealthStatus.UP);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(receiver.release.getCount()).as("the receiver is still hanging").isEqualTo(1);
            assertThat(tookMillis).as("health checks while the receiver hangs 30 s").isLessThan(20_000);
        }
    }
}
