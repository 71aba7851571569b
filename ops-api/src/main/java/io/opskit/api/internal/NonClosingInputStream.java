package io.opskit.api.internal;

import java.io.FilterInputStream;
import java.io.InputStream;

/** Reads from a stream that someone else owns; {@link #close()} leaves it open. */
public final class NonClosingInputStream extends FilterInputStream {

    /** @param in the stream to read from; not closed by this one */
    public NonClosingInputStream(InputStream in) {
        super(in);
    }

    @Override
    public void close() {
        // The owner closes the underlying stream.
    }
}
