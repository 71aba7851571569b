package io.opskit.api.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Where backups are kept: a flat namespace of objects addressed by keys such as
 * {@code "2026-11-21T020000Z-ab12/manifest.json"}. A local directory implements it in ops-backup;
 * an object store can implement it in an extension.
 *
 * <p>Writes are atomic: bytes written through {@link #create(String)} become visible under their
 * key only when {@link PendingObject#commit()} returns, and never partially. Implementations must
 * be thread-safe.
 *
 * <p>Keys are made of the characters {@code [A-Za-z0-9._/-]}, never start with {@code /}, and
 * never contain {@code ..}; an implementation rejects other keys with
 * {@link IllegalArgumentException}.
 */
public interface BackupStore {

    /**
     * Starts writing a new object. Nothing is visible under {@code key} until
     * {@link PendingObject#commit()}; closing without commit discards the bytes.
     *
     * @param key the key to create
     * @return a stream to write to; the caller must close it
     * @throws IOException when the store cannot accept a write, or the key already exists
     */
    PendingObject create(String key) throws IOException;

    /**
     * Opens a committed object for reading.
     *
     * @throws java.nio.file.NoSuchFileException when there is no committed object under {@code key}
     * @throws IOException                        when it cannot be read
     */
    InputStream open(String key) throws IOException;

    /**
     * The size in bytes of a committed object, or empty when there is none.
     *
     * @throws IOException when the store cannot be read
     */
    Optional<Long> size(String key) throws IOException;

    /**
     * The keys of committed objects that start with {@code prefix}, in lexicographic order.
     *
     * @param prefix a key prefix; {@code ""} lists everything
     * @throws IOException when the store cannot be read
     */
    List<String> list(String prefix) throws IOException;

    /**
     * Deletes a committed object. Deleting a missing key is not an error.
     *
     * @throws IOException when the object exists but cannot be deleted
     */
    void delete(String key) throws IOException;

    /**
     * Removes what interrupted writers left invisible in the store (temporary files, incomplete
     * multipart uploads) that is older than {@code olderThan}. Called by the repository's writer
     * while it holds the writer lease. The default does nothing.
     *
     * @return how many leftovers were removed
     * @throws IOException when the store cannot be read
     */
    default int removeIncomplete(java.time.Duration olderThan) throws IOException {
        return 0;
    }

    /**
     * Whether this store implements {@link #readVersioned(String)} and
     * {@link #writeIfVersion(String, byte[], String)}, so that the repository can keep its writer
     * lease in the store itself (an object store shared by several hosts). The default is false.
     */
    default boolean supportsConditionalWrites() {
        return false;
    }

    /**
     * Reads a small object with its version token (an ETag), or empty when there is none.
     *
     * @throws IOException                   when it cannot be read
     * @throws UnsupportedOperationException when {@link #supportsConditionalWrites()} is false
     */
    default Optional<Versioned> readVersioned(String key) throws IOException {
        throw new UnsupportedOperationException("conditional writes are not supported by " + this);
    }

    /**
     * Writes a small object in one atomic step only if its current version is {@code expectedVersion}
     * ({@code null}: only if there is no object under {@code key}).
     *
     * @return the new version token, or empty when the condition did not hold (another writer won)
     * @throws IOException                   when the store cannot be written
     * @throws UnsupportedOperationException when {@link #supportsConditionalWrites()} is false
     */
    default Optional<String> writeIfVersion(String key, byte[] bytes, @Nullable String expectedVersion) throws IOException {
        throw new UnsupportedOperationException("conditional writes are not supported by " + this);
    }

    /**
     * A small object's bytes and its version token.
     *
     * @param bytes   the content
     * @param version the version token (an ETag); opaque
     */
    record Versioned(byte[] bytes, String version) {
    }

    /**
     * An object being written. {@link #commit()} makes it durable and visible atomically;
     * {@link #close()} without commit discards it.
     */
    abstract class PendingObject extends OutputStream {

        /**
         * Flushes, makes the bytes durable (fsync or equivalent) and publishes them under their key
         * in one atomic step. Closes the stream.
         *
         * @throws IOException when the bytes cannot be made durable or published; the object is
         *         then not visible
         */
        public abstract void commit() throws IOException;
    }
}
