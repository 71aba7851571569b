package io.opskit.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opskit.backup.BackupManifest;
import io.opskit.backup.BackupRepository;
import io.opskit.backup.BackupSources;
import io.opskit.backup.Compression;
import io.opskit.backup.KeyFile;
import io.opskit.backup.s3.S3BackupStore;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Whole-process benchmark: Opskit's backup of a SQLite database straight into an S3-compatible
 * bucket (S3Proxy on loopback, objects on the local disk) against the shell pipeline
 * ({@code sqlite3 .backup}, {@code zstd -3 -T2}, {@code openssl enc -aes-256-ctr} to a file) followed
 * by a multipart upload of that file with the AWS SDK (8 MiB parts, two in flight, CRC32C), all on
 * the same database, interleaved in the same run. Also an Opskit backup in a fresh JVM at
 * {@code -Xmx64m}. Writes a JSON summary.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.opskit.benchmarks.S3BackupBenchmark \
 *      [--size-mb 400] [--runs 3] [--work /tmp/opskit-s3-bench] [--out S3BackupBenchmark.json]
 * </pre>
 */
public final class S3BackupBenchmark {

    private static final String ACCESS = "bench-access";
    private static final String SECRET = "bench-secret";
    private static final int PART = 8 << 20;

    private S3BackupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path work = Path.of(opts.getOrDefault("work", System.getProperty("java.io.tmpdir") + "/opskit-s3-bench"));
        if (opts.containsKey("child-bucket")) {
            childBackup(work, opts.get("child-bucket"));
            return;
        }
        int sizeMb = Integer.parseInt(opts.getOrDefault("size-mb", "400"));
        int runs = Integer.parseInt(opts.getOrDefault("runs", "3"));
        Path out = Path.of(opts.getOrDefault("out", "S3BackupBenchmark.json"));
        for (String tool : List.of("sqlite3", "zstd", "openssl")) {
            if (sh("command -v " + tool + " >/dev/null") != 0) {
                throw new IllegalStateException(tool + " is not installed: the shell pipeline needs it (apt-get install " + tool + ")");
            }
        }
        Files.createDirectories(work);
        Path db = work.resolve("bench.db");
        BackupThroughputBenchmark.ensureDatabase(db, sizeMb * 1_000_000L);
        long dbBytes = Files.size(db);
        Path keyFile = work.resolve("bench.key");
        KeyFile.loadOrCreate(keyFile);
        byte[] shellKey = new byte[32];
        new SecureRandom().nextBytes(shellKey);
        String hexKey = HexFormat.of().formatHex(shellKey);
        String hexIv = HexFormat.of().formatHex(Arrays.copyOf(shellKey, 16));

        Path blobs = work.resolve("s3");
        sh("rm -rf '" + blobs + "'");
        Files.createDirectories(blobs);
        S3Proxy proxy = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(blobs.toString()))
                .endpoint(URI.create("http://127.0.0.1:0")).awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
                .ignoreUnknownHeaders(true).build();
        proxy.start();
        while (!"STARTED".equals(proxy.getState())) {
            Thread.sleep(10);
        }
        URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", ACCESS, "AWS_SECRET_ACCESS_KEY", SECRET,
                "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", endpoint.toString());
        S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .endpointOverride(endpoint).forcePathStyle(true)
                .serviceConfiguration(c -> c.expectContinueEnabled(false))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET))).build();
        log("database %s: %.1f MB, %d runs each, S3Proxy at %s", db, dbBytes / 1e6, runs, endpoint);

        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        Map<String, Long> storedBytes = new LinkedHashMap<>();
        try {
            for (int run = 0; run < runs; run++) {
                String opskitBucket = "opskit-" + run;
                String shellBucket = "shell-" + run;
                s3.createBucket(r -> r.bucket(opskitBucket));
                s3.createBucket(r -> r.bucket(shellBucket));
                time(seconds, "opskit_zstd3_backup_to_s3", () -> {
                    try (S3BackupStore store = S3BackupStore.builder().bucket(opskitBucket).prefix("repo").environment(env).build()) {
                        BackupManifest made = BackupRepository.builder().store(store).keyProvider(KeyFile.load(keyFile))
                                .source(BackupSources.sqlite("bench", db)).compression(Compression.zstd(3))
                                .verifyAfterBackup(false) // the shell pipeline verifies nothing either
                                .build().backup();
                        storedBytes.put("opskit", made.storedBytes());
                    }
                });
                time(seconds, "shell_zstd3_then_sdk_upload", () -> {
                    shellBackup(work, db, hexKey, hexIv);
                    storedBytes.put("shell", upload(s3, shellBucket, "shell.bin", work.resolve("shell.bin")));
                });
                emptyBucket(s3, opskitBucket);
                emptyBucket(s3, shellBucket);
            }
            String childBucket = "opskit-xmx64m";
            s3.createBucket(r -> r.bucket(childBucket));
            time(seconds, "opskit_zstd3_backup_to_s3_xmx64m", () -> {
                ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx64m", "-cp", System.getProperty("java.class.path"), S3BackupBenchmark.class.getName(),
                        "--work", work.toString(), "--child-bucket", childBucket).inheritIO();
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    throw new IllegalStateException("the -Xmx64m backup failed");
                }
            });
            emptyBucket(s3, childBucket);
        } finally {
            s3.close();
            proxy.stop();
            sh("rm -rf '" + blobs + "' '" + work.resolve("shell.bin") + "'");
        }

        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode summary = mapper.createObjectNode();
        summary.put("benchmark", "S3BackupBenchmark");
        summary.put("java", System.getProperty("java.version"));
        summary.put("cores", Runtime.getRuntime().availableProcessors());
        summary.put("databaseBytes", dbBytes);
        summary.put("runs", runs);
        ObjectNode stored = summary.putObject("storedBytes");
        storedBytes.forEach(stored::put);
        ObjectNode medians = summary.putObject("medianSeconds");
        ObjectNode all = summary.putObject("allSeconds");
        seconds.forEach((k, v) -> {
            medians.put(k, round(median(v)));
            v.forEach(all.putArray(k)::add);
        });
        double ratio = median(seconds.get("shell_zstd3_then_sdk_upload")) / median(seconds.get("opskit_zstd3_backup_to_s3"));
        summary.put("ratio_shell_over_opskit", round(ratio));
        mapper.writeValue(out.toFile(), summary);
        System.out.println(mapper.writeValueAsString(summary));
    }

    private static void childBackup(Path work, String bucket) throws Exception {
        try (S3BackupStore store = S3BackupStore.builder().bucket(bucket).prefix("repo").build()) {
            BackupRepository.builder().store(store).keyProvider(KeyFile.load(work.resolve("bench.key")))
                    .source(BackupSources.sqlite("bench", work.resolve("bench.db"))).compression(Compression.zstd(3))
                    .verifyAfterBackup(false).build().backup();
        }
    }

    private static void shellBackup(Path work, Path db, String key, String iv) throws Exception {
        String script = "set -eo pipefail; cd '" + work + "'; rm -f snap.db shell.bin;"
                + " sqlite3 '" + db + "' '.backup snap.db';"
                + " zstd -3 -T2 -q -c snap.db | openssl enc -aes-256-ctr -K " + key + " -iv " + iv + " > shell.bin;"
                + " rm -f snap.db";
        if (sh(script) != 0) {
            throw new IllegalStateException("shell backup pipeline failed");
        }
    }

    /** A multipart upload of a file, as a user's upload step would do: 8 MiB parts, two in flight. */
    private static long upload(S3Client s3, String bucket, String key, Path file) throws Exception {
        long size = Files.size(file);
        String id = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32_C)).uploadId();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<CompletedPart>> parts = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (int number = 1; ; number++) {
                byte[] buf = in.readNBytes(PART);
                if (buf.length == 0) {
                    break;
                }
                int n = number;
                // At most two parts in memory beyond the one being read, as Opskit's store.
                while (parts.stream().filter(f -> !f.isDone()).count() >= 2) {
                    parts.stream().filter(f -> !f.isDone()).findFirst().orElseThrow().get();
                }
                parts.add(pool.submit(() -> {
                    UploadPartResponse r = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(n)
                            .checksumAlgorithm(ChecksumAlgorithm.CRC32_C), RequestBody.fromBytes(buf));
                    return CompletedPart.builder().partNumber(n).eTag(r.eTag()).checksumCRC32C(r.checksumCRC32C()).build();
                }));
            }
            List<CompletedPart> done = new ArrayList<>();
            for (Future<CompletedPart> f : parts) {
                done.add(f.get());
            }
            s3.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(id).multipartUpload(m -> m.parts(done)));
        } finally {
            pool.shutdown();
        }
        return size;
    }

    private static void emptyBucket(S3Client s3, String bucket) {
        for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket)).contents()) {
            s3.deleteObject(r -> r.bucket(bucket).key(o.key()));
        }
    }

    interface Step {
        void run() throws Exception;
    }

    private static void time(Map<String, List<Double>> seconds, String name, Step step) throws Exception {
        sh("sync");
        long start = System.nanoTime();
        step.run();
        double s = (System.nanoTime() - start) / 1e9;
        seconds.computeIfAbsent(name, k -> new ArrayList<>()).add(s);
        log("%-36s %.2f s", name, s);
    }

    private static int sh(String script) throws Exception {
        return new ProcessBuilder("bash", "-c", script).inheritIO().start().waitFor();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void log(String format, Object... args) {
        System.err.println(String.format(Locale.ROOT, format, args));
    }
}
