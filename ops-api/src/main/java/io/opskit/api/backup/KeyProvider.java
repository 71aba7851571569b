package io.opskit.api.backup;

/**
 * Supplies the 256-bit keys that encrypt backups. A key file implements it in ops-backup; a KMS
 * or vault can implement it in an extension.
 *
 * <p>Implementations must be thread-safe. Key ids are recorded in backup manifests so that a
 * backup made with an older key can still be restored after rotation; they are not secret.
 */
public interface KeyProvider {

    /**
     * The id of the key that new backups are encrypted with: a short, non-secret label such as a
     * fingerprint ({@code "sha256:1f2e3d4c"}).
     */
    String currentKeyId();

    /**
     * The key for an id, as 32 bytes. The caller may clear the returned array after use, so each
     * call returns a fresh copy.
     *
     * @param keyId an id previously returned by {@link #currentKeyId()} or read from a manifest
     * @return a new array of 32 bytes
     * @throws IllegalArgumentException when the provider has no key with that id
     */
    byte[] key(String keyId);
}
