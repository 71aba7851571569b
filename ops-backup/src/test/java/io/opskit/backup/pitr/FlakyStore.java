package io.opskit.backup.pitr;

import io.opskit.api.backup.BackupStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/** A real store that refuses writes while {@link #failing} is set, as a full or unreachable one does. */
final class FlakyStore implements BackupStore {
    private final BackupStore delegate;
    volatile boolean failing;

    FlakyStore(BackupStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public PendingObject create(String key) throws IOException {
        if (failing) {
            throw new IOException("store unavailable (simulated outage)");
        }
        return delegate.create(key);
    }

    @Override
    public InputStream open(String key) throws IOException {
        return delegate.open(key);
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        return delegate.size(key);
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        return delegate.list(prefix);
    }

    @Override
    public void delete(String key) throws IOException {
        delegate.delete(key);
    }
}
