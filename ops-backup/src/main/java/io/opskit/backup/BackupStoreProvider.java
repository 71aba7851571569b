package io.opskit.backup;

import io.opskit.api.backup.BackupStore;
import java.net.URI;
import java.util.Map;

/**
 * Opens the {@link BackupStore} that a location string names, for one URI scheme ({@code s3} for
 * {@code s3://BUCKET/PREFIX}). {@link BackupStores#open(String)} finds providers through
 * {@link java.util.ServiceLoader}, so a store on another kind of storage needs only a jar on the
 * class or module path that declares its provider ({@code provides io.opskit.backup.BackupStoreProvider
 * with ...} in its module descriptor, or a {@code META-INF/services} entry).
 *
 * <p>Implementations must be thread-safe and have a public no-argument constructor.
 */
public interface BackupStoreProvider {

    /**
     * The URI scheme this provider opens, in lower case ({@code "s3"}).
     *
     * @return the scheme, without {@code ://}
     */
    String scheme();

    /**
     * Opens the store at {@code location}.
     *
     * @param location    a URI of this provider's scheme, as the user wrote it
     * @param environment the process environment (or a substitute in tests) to read settings such as
     *                    endpoints, regions and credentials from
     * @return the store; never null
     * @throws IllegalArgumentException when the location is malformed for this scheme; the message
     *                                  names the location and never a secret
     */
    BackupStore open(URI location, Map<String, String> environment);
}
