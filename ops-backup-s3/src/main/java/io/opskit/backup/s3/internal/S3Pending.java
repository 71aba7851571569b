package io.opskit.backup.s3.internal;

import io.opskit.api.backup.BackupStore;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HexFormat;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * An object being written to S3: bytes fill a part buffer; a full part is uploaded on the store's
 * upload threads while the writer fills the next buffer, with at most {@link #MAX_IN_FLIGHT} parts
 * uploading, so at most three parts are in memory and the writer waits only when the network is
 * slower than it. The multipart upload is created with the
 * first full part; an object that never fills one is a single conditional {@code PutObject} at
 * commit. Not thread-safe (one writer).
 */
public final class S3Pending extends BackupStore.PendingObject {

    /** The checksum every upload carries; the server verifies it before accepting the bytes. */
    public static final ChecksumAlgorithm CHECKSUM = ChecksumAlgorithm.CRC32_C;

    /**
     * Parts uploading at once: the SDK signs and checksums each part on one thread, so two keep two
     * cores busy. With the part being filled, a writer holds at most three parts.
     */
    public static final int MAX_IN_FLIGHT = 2;

    private static final Logger log = LoggerFactory.getLogger(S3Pending.class);

    private final S3Client s3;
    private final ExecutorService uploads;
    private final String bucket;
    private final String objectKey;
    private final String key;
    private final int partSize;
    private final StorageClass storageClass;
    private final @Nullable String tagging;

    private byte[] buffer;
    private int filled;
    private final ArrayDeque<byte[]> spares = new ArrayDeque<>();
    private @Nullable String uploadId;
    private final List<CompletedPart> parts = new ArrayList<>();
    private final ArrayDeque<Future<CompletedPart>> inFlight = new ArrayDeque<>();
    private final ArrayDeque<byte[]> inFlightBuffers = new ArrayDeque<>();
    private boolean done;
    private long total;

    public S3Pending(S3Client s3, ExecutorService uploads, String bucket, String objectKey, String key, int partSize,
                     StorageClass storageClass, @Nullable String tagging) {
        this.s3 = s3;
        this.uploads = uploads;
        this.bucket = bucket;
        this.objectKey = objectKey;
        this.key = key;
        this.partSize = partSize;
        this.storageClass = storageClass;
        this.tagging = tagging;
        // Start small: most objects (manifests, records) are a few KiB; grow to a part on demand.
        this.buffer = new byte[Math.min(partSize, 64 * 1024)];
    }

    /** Whether an S3 error means a conditional write lost: 412 Precondition Failed, 409 Conditional Request Conflict. */
    public static boolean lostRace(S3Exception e) {
        return e.statusCode() == 412 || e.statusCode() == 409;
    }

    @Override
    public void write(int b) throws IOException {
        ensureWritable();
        if (filled == buffer.length) {
            makeRoom();
        }
        buffer[filled++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        ensureWritable();
        while (len > 0) {
            if (filled == buffer.length) {
                makeRoom();
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
        }
    }

    private void ensureWritable() throws IOException {
        if (done) {
            throw new IOException("already committed or closed: " + key);
        }
    }

    /** The buffer is full: grow it up to a part, or send it as a part. */
    private void makeRoom() throws IOException {
        if (buffer.length < partSize) {
            byte[] bigger = new byte[(int) Math.min(partSize, (long) buffer.length * 4)];
            System.arraycopy(buffer, 0, bigger, 0, filled);
            buffer = bigger;
            return;
        }
        sendPart();
    }

    private void sendPart() throws IOException {
        if (uploadId == null) {
            CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder().bucket(bucket)
                    .key(objectKey).storageClass(storageClass).checksumAlgorithm(CHECKSUM)
                    .contentType("application/octet-stream");
            if (tagging != null) {
                create.tagging(tagging);
            }
            try {
                uploadId = s3.createMultipartUpload(create.build()).uploadId();
            } catch (SdkException e) {
                throw failure("starting the upload of " + key, e);
            }
        }
        while (inFlight.size() >= MAX_IN_FLIGHT) {
            awaitOldest();
        }
        byte[] full = buffer;
        int length = filled;
        total += length;
        int number = parts.size() + inFlight.size() + 1;
        String id = uploadId;
        byte[] next = spares.poll();
        buffer = next != null ? next : new byte[partSize];
        filled = 0;
        try {
            inFlight.add(uploads.submit(() -> uploadPart(id, number, full, length)));
            inFlightBuffers.add(full);
        } catch (RejectedExecutionException e) {
            throw new IOException("the S3 store is closed: cannot write " + key, e);
        }
    }

    private CompletedPart uploadPart(String id, int number, byte[] bytes, int length) {
        UploadPartRequest request = UploadPartRequest.builder().bucket(bucket).key(objectKey).uploadId(id)
                .partNumber(number).contentLength((long) length).checksumAlgorithm(CHECKSUM).build();
        UploadPartResponse response = s3.uploadPart(request,
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                        "application/octet-stream"));
        return CompletedPart.builder().partNumber(number).eTag(response.eTag()).checksumCRC32C(response.checksumCRC32C())
                .build();
    }

    /** Waits for the oldest part in flight (parts complete in order) and keeps its buffer for reuse. */
    private void awaitOldest() throws IOException {
        Future<CompletedPart> f = inFlight.poll();
        byte[] used = inFlightBuffers.poll();
        if (f == null) {
            return;
        }
        try {
            parts.add(f.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new InterruptedIOException("interrupted while uploading " + key);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof SdkException sdk ? failure("uploading part " + (parts.size() + 1) + " of " + key, sdk)
                    : new IOException("uploading " + key + " failed: " + cause, cause);
        }
        if (used != null) {
            spares.add(used);
        }
    }

    private void awaitInFlight() throws IOException {
        while (!inFlight.isEmpty()) {
            awaitOldest();
        }
    }

    @Override
    public void commit() throws IOException {
        ensureWritable();
        boolean committed = false;
        try {
            if (uploadId == null) {
                putWhole();
            } else {
                if (filled > 0) {
                    sendPart();
                }
                awaitInFlight();
                complete();
            }
            committed = true;
        } finally {
            done = true;
            buffer = new byte[0];
            spares.clear();
            if (!committed) {
                abort();
            }
        }
    }

    private void putWhole() throws IOException {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(objectKey).storageClass(storageClass)
                .checksumAlgorithm(CHECKSUM).ifNoneMatch("*").contentType("application/octet-stream");
        if (tagging != null) {
            put.tagging(tagging);
        }
        byte[] bytes = buffer;
        int length = filled;
        try {
            s3.putObject(put.build(), RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length),
                    length, "application/octet-stream"));
        } catch (S3Exception e) {
            if (lostRace(e) && !isOurs(s3, bucket, objectKey, length, fingerprint(bytes, 0, length))) {
                throw exists(e);
            } else if (lostRace(e)) {
                return;
            }
            throw failure("writing " + key, e);
        } catch (SdkException e) {
            throw failure("writing " + key, e);
        }
    }

    private void complete() throws IOException {
        CompleteMultipartUploadRequest request = CompleteMultipartUploadRequest.builder().bucket(bucket).key(objectKey)
                .uploadId(uploadId).ifNoneMatch("*")
                .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()).build();
        try {
            s3.completeMultipartUpload(request);
        } catch (S3Exception e) {
            if ((lostRace(e) || e.statusCode() == 404) && isOurs(s3, bucket, objectKey, total, compositeFingerprint())) {
                uploadId = null; // completed by the SDK's first attempt: nothing left to abort
                return;
            }
            if (lostRace(e)) {
                throw exists(e);
            }
            throw failure("completing the upload of " + key, e);
        } catch (SdkException e) {
            throw failure("completing the upload of " + key, e);
        }
    }

    /**
     * Whether the object under {@code objectKey} is the one this writer sent: a conditional write
     * that the SDK retried after a lost response meets its own first, successful attempt. The size
     * must match, and the CRC32C when the server reports one, else the ETag (the MD5 of the bytes, or
     * of the parts' MD5s for a multipart upload, on S3 and the servers that follow it).
     */
    public static boolean isOurs(S3Client s3, String bucket, String objectKey, long size, Fingerprint ours) {
        try {
            HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(objectKey).checksumMode(ChecksumMode.ENABLED));
            if (head.contentLength() == null || head.contentLength() != size) {
                return false;
            }
            if (head.checksumCRC32C() != null && !ours.crc32c().isEmpty()) {
                return ours.crc32c().equals(head.checksumCRC32C());
            }
            return head.eTag() != null && !ours.etag().isEmpty() && head.eTag().replace("\"", "").equalsIgnoreCase(ours.etag());
        } catch (SdkException e) {
            return false;
        }
    }

    /**
     * What identifies an object's bytes to the server.
     *
     * @param crc32c base64 CRC32C (whole object, or the composite "-N" form), or empty
     * @param etag   the ETag S3 computes (hex MD5, or the multipart "-N" form), or empty
     */
    public record Fingerprint(String crc32c, String etag) {
    }

    /** The fingerprint of a single-put object. */
    public static Fingerprint fingerprint(byte[] bytes, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, off, len);
        return new Fingerprint(base64(crc), HexFormat.of().formatHex(md5().digest(java.util.Arrays.copyOfRange(bytes, off, off + len))));
    }

    /** The base64 CRC32C of the bytes, as S3 reports it. */
    public static String crc32c(byte[] bytes, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, off, len);
        return base64(crc);
    }

    private static String base64(CRC32C crc) {
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    /** S3's composite fingerprint of a multipart upload: checksums and ETags of the parts, then "-N". */
    private Fingerprint compositeFingerprint() {
        CRC32C crc = new CRC32C();
        MessageDigest md5 = md5();
        boolean crcs = true;
        boolean etags = true;
        for (CompletedPart p : parts) {
            String c = p.checksumCRC32C();
            if (c == null) {
                crcs = false;
            } else {
                crc.update(Base64.getDecoder().decode(c));
            }
            String e = p.eTag() == null ? "" : p.eTag().replace("\"", "");
            if (e.length() != 32) {
                etags = false;
            } else {
                md5.update(HexFormat.of().parseHex(e));
            }
        }
        String n = "-" + parts.size();
        return new Fingerprint(crcs ? base64(crc) + n : "", etags ? HexFormat.of().formatHex(md5.digest()) + n : "");
    }

    private FileAlreadyExistsException exists(S3Exception e) {
        FileAlreadyExistsException exists = new FileAlreadyExistsException(key, null,
                "another writer created it first (HTTP " + e.statusCode() + ")");
        exists.initCause(e);
        return exists;
    }

    /** Discards the bytes: aborts the multipart upload if one was started. Idempotent. */
    @Override
    public void close() throws IOException {
        if (!done) {
            done = true;
            buffer = new byte[0];
            spares.clear();
            abort();
        }
    }

    private void abort() {
        for (Future<CompletedPart> f : inFlight) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException ignored) {
                // The part failed: aborting below removes what was uploaded before it.
            }
        }
        inFlight.clear();
        inFlightBuffers.clear();
        String id = uploadId;
        if (id == null) {
            return;
        }
        uploadId = null;
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(id));
        } catch (SdkException e) {
            // Left for removeIncomplete: the upload stays invisible to readers.
            log.warn("could not abort the upload of {}: {}; removeIncomplete will", key, e.getMessage());
        }
    }

    private static IOException failure(String what, SdkException e) {
        String reason = e instanceof S3Exception s && s.awsErrorDetails() != null && s.awsErrorDetails().errorCode() != null
                ? s.awsErrorDetails().errorCode() + " (HTTP " + s.statusCode() + ")"
                : String.valueOf(e.getMessage());
        return new IOException("S3 " + what + " failed: " + reason, e);
    }
}
