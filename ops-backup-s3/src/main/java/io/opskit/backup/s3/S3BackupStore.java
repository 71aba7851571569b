package io.opskit.backup.s3;

import io.opskit.api.backup.BackupStore;
import io.opskit.api.internal.Checks;
import io.opskit.backup.s3.internal.S3Pending;
import io.opskit.backup.s3.internal.S3Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetBucketLifecycleConfigurationResponse;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A {@link BackupStore} in an S3-compatible bucket (AWS S3, MinIO, Ceph, Cloudflare R2, S3Proxy),
 * under a key prefix, through the AWS SDK for Java v2 with its URL-connection HTTP client.
 *
 * <ul>
 *   <li><b>Atomic, never overwriting writes.</b> An object is streamed as a multipart upload in
 *       parts of {@link Builder#partSize(long)} bytes, holding at most three parts in memory (one
 *       filling, two uploading); nothing is visible until {@link PendingObject#commit()} completes the
 *       upload, and {@code close()} without commit aborts it. An object smaller than one part is one
 *       {@code PutObject}. Both are conditional writes ({@code If-None-Match: *}): when the key exists
 *       the write is refused with {@link java.nio.file.FileAlreadyExistsException}.</li>
 *   <li><b>Checksums verified on upload.</b> Every part and single put carries a CRC32C the server
 *       checks before accepting the bytes; downloads are checked by the SDK where the server
 *       returns a checksum.</li>
 *   <li><b>Conditional writes</b> ({@link #readVersioned(String)}, {@link #writeIfVersion(String, byte[], String)}
 *       on ETags with {@code If-Match}/{@code If-None-Match}), so that ops-backup keeps its writer
 *       lease in the bucket and hosts that share a bucket never write at once.</li>
 *   <li><b>Storage classes per kind of object.</b> Archives ({@code *.bin}) are written in
 *       {@link Builder#archiveStorageClass(String)} and tagged {@value #KIND_TAG}{@code =archive};
 *       manifests, verification records and the lease are always {@code STANDARD}, so listing and
 *       reading the catalogue never waits on a cold tier. {@link #lifecycleConfiguration(ArchiveTiering)}
 *       moves archives to colder classes by age.</li>
 *   <li><b>Leftovers.</b> A writer killed mid-upload leaves an incomplete multipart upload, invisible
 *       to readers; {@link #removeIncomplete(Duration)} aborts those older than a given age.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} releases the HTTP client and the upload thread. No credential
 * reaches a log line or {@link #toString()}.
 */
public final class S3BackupStore implements BackupStore, AutoCloseable {

    /** The object tag that marks archives, so that lifecycle rules move only them. */
    public static final String KIND_TAG = "opskit-object";

    /** The default part size: 8 MiB. */
    public static final long DEFAULT_PART_SIZE = 8L << 20;
    /** The smallest part size S3 accepts for every part but the last: 5 MiB. */
    public static final long MIN_PART_SIZE = 5L << 20;
    /** The largest part size this store buffers: 512 MiB. */
    public static final long MAX_PART_SIZE = 512L << 20;

    private static final Logger log = LoggerFactory.getLogger(S3BackupStore.class);
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final StorageClass archiveClass;
    private final int partSize;
    private final Clock clock;
    private final String description;
    private final ExecutorService uploads;
    private final AtomicBoolean closed = new AtomicBoolean();

    private S3BackupStore(Builder b, S3Settings settings) {
        this.s3 = settings.client();
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
        this.archiveClass = b.archiveStorageClass != null ? b.archiveStorageClass : StorageClass.STANDARD;
        this.partSize = (int) (b.partSize != null ? b.partSize : DEFAULT_PART_SIZE);
        this.clock = b.clock != null ? b.clock : Clock.systemUTC();
        this.description = "S3BackupStore{s3://" + bucket + "/" + prefix
                + settings.endpoint().map(e -> " at " + e).orElse("") + "}";
        this.uploads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "opskit-s3-upload-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        log.info("opened backup store s3://{}/{}{}", bucket, prefix, settings.endpoint().map(e -> " at " + e).orElse(""));
    }

    /** Starts configuring a store. */
    public static Builder builder() {
        return new Builder();
    }

    /** The bucket. */
    public String bucket() {
        return bucket;
    }

    /** The key prefix every object of this store lives under: empty, or ending with {@code /}. */
    public String prefix() {
        return prefix;
    }

    /** The storage class archives are written in. */
    public String archiveStorageClass() {
        return archiveClass.toString();
    }

    /** The part size of multipart uploads, in bytes. */
    public long partSize() {
        return partSize;
    }

    /**
     * The SDK client this store talks through, for a host that wants to read what the store wrote
     * (object metadata, tags). Closed by {@link #close()}.
     */
    public S3Client client() {
        return s3;
    }

    /**
     * The object key in the bucket of a store key: the prefix and the key.
     *
     * @throws IllegalArgumentException when the key is not a valid store key
     */
    public String objectKey(String key) {
        return prefix + checkKey(key);
    }

    private static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (!KEY.matcher(key).matches() || key.contains("..")) {
            throw new IllegalArgumentException("key must match [A-Za-z0-9._/-] without '..': " + key);
        }
        return key;
    }

    /** Whether the key names an archive (as opposed to a manifest, a record or the lease). */
    static boolean isArchive(String key) {
        return key.endsWith(".bin");
    }

    @Override
    public PendingObject create(String key) throws IOException {
        String objectKey = objectKey(key);
        ensureOpen();
        if (size(key).isPresent()) {
            throw new java.nio.file.FileAlreadyExistsException(key);
        }
        boolean archive = isArchive(key);
        return new S3Pending(s3, uploads, bucket, objectKey, key, partSize,
                archive ? archiveClass : StorageClass.STANDARD, archive ? KIND_TAG + "=archive" : null);
    }

    @Override
    public InputStream open(String key) throws IOException {
        String objectKey = objectKey(key);
        ensureOpen();
        try {
            return s3.getObject(r -> r.bucket(bucket).key(objectKey).checksumMode(ChecksumMode.ENABLED));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException(key);
            }
            throw failure("reading " + key, e);
        } catch (SdkException e) {
            throw failure("reading " + key, e);
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        String objectKey = objectKey(key);
        ensureOpen();
        try {
            return Optional.of(s3.headObject(r -> r.bucket(bucket).key(objectKey)).contentLength());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("reading the size of " + key, e);
        } catch (SdkException e) {
            throw failure("reading the size of " + key, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Pages through {@code ListObjectsV2} (1,000 keys a page). Keys that start with {@code .}
     * (the lease) are left out, as in {@link io.opskit.backup.LocalDirectoryStore}.
     */
    @Override
    public List<String> list(String keyPrefix) throws IOException {
        Objects.requireNonNull(keyPrefix, "prefix");
        ensureOpen();
        List<String> keys = new ArrayList<>();
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix + keyPrefix).build();
            for (S3Object o : s3.listObjectsV2Paginator(request).contents()) {
                String key = o.key().substring(prefix.length());
                if (!key.startsWith(".") && !key.isEmpty()) {
                    keys.add(key);
                }
            }
        } catch (SdkException e) {
            throw failure("listing " + keyPrefix, e);
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) throws IOException {
        String objectKey = objectKey(key);
        ensureOpen();
        try {
            s3.deleteObject(r -> r.bucket(bucket).key(objectKey));
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw failure("deleting " + key, e);
            }
        } catch (SdkException e) {
            throw failure("deleting " + key, e);
        }
    }

    /**
     * Aborts the multipart uploads under this store's prefix that were started more than
     * {@code olderThan} ago: what writers that were killed mid-upload left. Uploads are invisible
     * to readers but their parts are billed until aborted.
     *
     * @return how many uploads were aborted
     */
    @Override
    public int removeIncomplete(Duration olderThan) throws IOException {
        Checks.requireNonNegative(olderThan, "olderThan");
        ensureOpen();
        Instant before = clock.instant().minus(olderThan);
        int removed = 0;
        try {
            ListMultipartUploadsRequest request = ListMultipartUploadsRequest.builder().bucket(bucket).prefix(prefix).build();
            List<MultipartUpload> stale = new ArrayList<>();
            for (MultipartUpload u : s3.listMultipartUploadsPaginator(request).uploads()) {
                if (u.initiated() == null || !u.initiated().isAfter(before)) {
                    stale.add(u);
                }
            }
            for (MultipartUpload u : stale) {
                try {
                    s3.abortMultipartUpload(AbortMultipartUploadRequest.builder().bucket(bucket).key(u.key())
                            .uploadId(u.uploadId()).build());
                    removed++;
                } catch (S3Exception e) {
                    if (e.statusCode() != 404) {
                        throw e;
                    }
                }
            }
        } catch (SdkException e) {
            throw failure("removing incomplete uploads", e);
        }
        if (removed > 0) {
            log.info("aborted {} incomplete uploads older than {} in s3://{}/{}", removed, olderThan, bucket, prefix);
        }
        return removed;
    }

    /** True: the lease and other small objects are written with {@code If-Match}/{@code If-None-Match}. */
    @Override
    public boolean supportsConditionalWrites() {
        return true;
    }

    @Override
    public Optional<Versioned> readVersioned(String key) throws IOException {
        String objectKey = objectKey(key);
        ensureOpen();
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(r -> r.bucket(bucket).key(objectKey));
            return Optional.of(new Versioned(bytes.asByteArray(), bytes.response().eTag()));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw failure("reading " + key, e);
        } catch (SdkException e) {
            throw failure("reading " + key, e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A {@code PutObject} with {@code If-None-Match: *} (no expected version) or
     * {@code If-Match: ETAG}; a 412 (precondition failed), a 409 (a concurrent conditional write) or a
     * 404 (the object was deleted meanwhile) answers that another writer won.
     */
    @Override
    public Optional<String> writeIfVersion(String key, byte[] bytes, @Nullable String expectedVersion) throws IOException {
        String objectKey = objectKey(key);
        Objects.requireNonNull(bytes, "bytes");
        ensureOpen();
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket).key(objectKey)
                .storageClass(StorageClass.STANDARD).checksumAlgorithm(S3Pending.CHECKSUM);
        if (expectedVersion == null) {
            request.ifNoneMatch("*");
        } else {
            request.ifMatch(expectedVersion);
        }
        try {
            PutObjectResponse response = s3.putObject(request.build(),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes), bytes.length, "application/octet-stream"));
            return Optional.of(response.eTag());
        } catch (S3Exception e) {
            if (S3Pending.lostRace(e) || (expectedVersion != null && e.statusCode() == 404)) {
                // A retried write that meets its own first attempt has won, not lost.
                return ourVersion(objectKey, bytes);
            }
            throw failure("writing " + key, e);
        } catch (SdkException e) {
            // A server that refuses the condition may answer before it has read the body and close
            // the connection: the client then sees a failed write, not the 412. Decide from what is
            // stored now; only a condition that still holds leaves the failure standing.
            Optional<Optional<String>> decided = decideFromStoredState(objectKey, bytes, expectedVersion);
            if (decided.isPresent()) {
                return decided.get();
            }
            throw failure("writing " + key, e);
        }
    }

    /**
     * After a conditional write that failed without an answer: the new version when the stored
     * object is ours (the write landed), empty when the condition no longer holds (another writer
     * won), nothing decided when the condition still holds (the write did not happen) or the store
     * cannot be read.
     */
    private Optional<Optional<String>> decideFromStoredState(String objectKey, byte[] bytes,
                                                             @Nullable String expectedVersion) {
        Optional<String> current;
        try {
            current = Optional.ofNullable(s3.headObject(r -> r.bucket(bucket).key(objectKey)).eTag());
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                return Optional.empty();
            }
            current = Optional.empty();
        } catch (SdkException e) {
            return Optional.empty();
        }
        if (current.isPresent() && S3Pending.isOurs(s3, bucket, objectKey, bytes.length,
                S3Pending.fingerprint(bytes, 0, bytes.length))) {
            return Optional.of(current);
        }
        boolean conditionHolds = expectedVersion == null ? current.isEmpty()
                : current.isPresent() && current.get().equals(expectedVersion);
        return conditionHolds ? Optional.empty() : Optional.of(Optional.empty());
    }

    private Optional<String> ourVersion(String objectKey, byte[] bytes) {
        if (!S3Pending.isOurs(s3, bucket, objectKey, bytes.length, S3Pending.fingerprint(bytes, 0, bytes.length))) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(s3.headObject(r -> r.bucket(bucket).key(objectKey)).eTag());
        } catch (SdkException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------------------ tiering

    /**
     * The bucket lifecycle rule that moves this store's archives through {@code tiering}'s storage
     * classes by age: one rule with the id {@link ArchiveTiering#ruleId(String)} of this prefix,
     * filtered on the prefix and the tag {@value #KIND_TAG}{@code =archive}, so that manifests,
     * verification records and the lease stay in {@code STANDARD}; and a second rule, on the prefix
     * alone, that aborts multipart uploads left incomplete for more than
     * {@link ArchiveTiering#abortIncompleteAfterDays()} days.
     *
     * @return a configuration holding those two rules
     */
    public BucketLifecycleConfiguration lifecycleConfiguration(ArchiveTiering tiering) {
        Objects.requireNonNull(tiering, "tiering");
        return BucketLifecycleConfiguration.builder().rules(tiering.rule(prefix), tiering.abortRule(prefix)).build();
    }

    /**
     * Writes {@link #lifecycleConfiguration(ArchiveTiering)}'s rules into the bucket's lifecycle
     * configuration, keeping the bucket's other rules (rules with the same ids are replaced).
     * Needs {@code s3:GetLifecycleConfiguration} and {@code s3:PutLifecycleConfiguration}.
     *
     * @return the configuration now in force
     * @throws IOException when the bucket's configuration cannot be read or written
     */
    public BucketLifecycleConfiguration applyLifecycle(ArchiveTiering tiering) throws IOException {
        Objects.requireNonNull(tiering, "tiering");
        ensureOpen();
        LifecycleRule ours = tiering.rule(prefix);
        LifecycleRule abort = tiering.abortRule(prefix);
        List<LifecycleRule> rules = new ArrayList<>();
        try {
            try {
                GetBucketLifecycleConfigurationResponse current = s3.getBucketLifecycleConfiguration(r -> r.bucket(bucket));
                for (LifecycleRule r : current.rules()) {
                    if (!ours.id().equals(r.id()) && !abort.id().equals(r.id())) {
                        rules.add(r);
                    }
                }
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
            }
            rules.add(ours);
            rules.add(abort);
            BucketLifecycleConfiguration config = BucketLifecycleConfiguration.builder().rules(rules).build();
            s3.putBucketLifecycleConfiguration(r -> r.bucket(bucket).lifecycleConfiguration(config));
            log.info("applied lifecycle rule {} to s3://{}", ours.id(), bucket);
            return config;
        } catch (SdkException e) {
            throw failure("applying the lifecycle rule " + ours.id(), e);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed.get()) {
            throw new IOException(description + " is closed");
        }
    }

    static IOException failure(String what, SdkException e) {
        if (Thread.currentThread().isInterrupted()) {
            InterruptedIOException interrupted = new InterruptedIOException(what + " was interrupted");
            interrupted.initCause(e);
            return interrupted;
        }
        String reason = e instanceof S3Exception s && s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null
                ? s.awsErrorDetails().errorCode() + " (HTTP " + s.statusCode() + ")"
                : String.valueOf(e.getMessage());
        return new IOException("S3 " + what + " failed: " + reason, e);
    }

    /** Closes the HTTP client and the upload threads; idempotent. Pending uploads fail afterwards. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            uploads.shutdownNow();
            s3.close();
        }
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Configures an {@link S3BackupStore}. Unset values come from the environment the way the AWS
     * CLI reads them: endpoint from {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL}, region from
     * {@code AWS_REGION} (or {@code AWS_DEFAULT_REGION}, then the SDK's profile chain), credentials
     * from {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN} or else the
     * SDK's default chain (profile, web identity, container, instance). Not thread-safe.
     */
    public static final class Builder {
        @Nullable String bucket;
        @Nullable String prefix;
        @Nullable String region;
        @Nullable URI endpoint;
        @Nullable Boolean pathStyle;
        @Nullable AwsCredentialsProvider credentials;
        @Nullable StorageClass archiveStorageClass;
        @Nullable Long partSize;
        @Nullable Clock clock;
        @Nullable Map<String, String> environment;

        private Builder() {
        }

        /**
         * The bucket. Required.
         *
         * @throws IllegalArgumentException when it is not a valid bucket name (3 to 63 characters of
         *                                  {@code [a-z0-9.-]}, starting and ending with a letter or digit)
         */
        public Builder bucket(String bucket) {
            Objects.requireNonNull(bucket, "bucket");
            Checks.requireUnset(this.bucket, "bucket");
            this.bucket = S3Settings.checkBucket(bucket);
            return this;
        }

        /**
         * The key prefix the repository lives under ({@code "app1"} or {@code "app1/"}); default none.
         *
         * @throws IllegalArgumentException when it is not made of {@code [A-Za-z0-9._/-]} or contains {@code ..}
         */
        public Builder prefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            Checks.requireUnset(this.prefix, "prefix");
            this.prefix = S3Settings.normalizePrefix(prefix);
            return this;
        }

        /**
         * The region ({@code "eu-west-1"}); default from the environment, else {@code us-east-1} when
         * an endpoint is set (S3-compatible servers ignore it).
         *
         * @throws IllegalArgumentException when blank
         */
        public Builder region(String region) {
            Objects.requireNonNull(region, "region");
            Checks.requireUnset(this.region, "region");
            this.region = Checks.requireNonBlank(region, "region");
            return this;
        }

        /**
         * The endpoint of an S3-compatible server ({@code http://127.0.0.1:9000}); default from the
         * environment, else AWS's own endpoint for the region.
         *
         * @throws IllegalArgumentException when it is not an absolute http or https URI
         */
        public Builder endpoint(URI endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            Checks.requireUnset(this.endpoint, "endpoint");
            this.endpoint = S3Settings.checkEndpoint(endpoint.toString(), "endpoint");
            return this;
        }

        /**
         * Path-style addressing ({@code http://host/bucket/key}) instead of virtual-hosted style
         * ({@code http://bucket.host/key}); default true when an endpoint is set, which is what MinIO,
         * Ceph and S3Proxy expect.
         */
        public Builder pathStyle(boolean pathStyle) {
            Checks.requireUnset(this.pathStyle, "pathStyle");
            this.pathStyle = pathStyle;
            return this;
        }

        /** Where credentials come from; default the environment variables, else the SDK's default chain. */
        public Builder credentialsProvider(AwsCredentialsProvider credentials) {
            this.credentials = Checks.setOnce(this.credentials, credentials, "credentialsProvider");
            return this;
        }

        /**
         * The storage class archives are written in ({@code STANDARD_IA}, {@code GLACIER_IR},
         * {@code ONEZONE_IA}, ...); default {@code STANDARD}. Manifests, verification records and the
         * lease are always written in {@code STANDARD}. A class whose objects cannot be read at once
         * ({@code GLACIER}, {@code DEEP_ARCHIVE}) is refused: verification reads archives back.
         *
         * @throws IllegalArgumentException naming the value when S3 has no such class or it is not
         *                                  readable at once
         */
        public Builder archiveStorageClass(String storageClass) {
            Objects.requireNonNull(storageClass, "storageClass");
            Checks.requireUnset(this.archiveStorageClass, "archiveStorageClass");
            this.archiveStorageClass = S3Settings.checkInstantClass(storageClass, "archiveStorageClass");
            return this;
        }

        /**
         * The part size of multipart uploads in bytes; default 8 MiB. A writer holds at most three parts
         * in memory. S3 needs at least 5 MiB; this store buffers at most 512 MiB.
         *
         * @throws IllegalArgumentException when outside 5 MiB to 512 MiB
         */
        public Builder partSize(long bytes) {
            Checks.requireUnset(this.partSize, "partSize");
            if (bytes < MIN_PART_SIZE || bytes > MAX_PART_SIZE) {
                throw new IllegalArgumentException("partSize must be between 5 MiB and 512 MiB: " + bytes);
            }
            this.partSize = bytes;
            return this;
        }

        /** Wall-clock time, for the age of incomplete uploads; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Checks.setOnce(this.clock, clock, "clock");
            return this;
        }

        /**
         * The variables unset values are read from ({@code AWS_REGION}, {@code AWS_ENDPOINT_URL}, ...);
         * default {@link System#getenv()}.
         */
        public Builder environment(Map<String, String> environment) {
            this.environment = Map.copyOf(Checks.setOnce(this.environment, environment, "environment"));
            return this;
        }

        /**
         * Builds the store and its client.
         *
         * @throws IllegalStateException    when the bucket is missing, or no region is configured for AWS
         * @throws IllegalArgumentException when an environment variable holds a malformed endpoint
         */
        public S3BackupStore build() {
            String b = Checks.requirePresent(bucket, "bucket");
            S3Settings settings = S3Settings.resolve(b, prefix != null ? prefix : "", region, endpoint, pathStyle,
                    credentials, environment != null ? environment : System.getenv());
            return new S3BackupStore(this, settings);
        }
    }
}
