package io.opskit.api.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes writes through to a stream that someone else owns; {@link #close()} only flushes it.
 * Bulk writes go straight through (unlike {@link FilterOutputStream}'s byte-at-a-time default).
 */
public final class NonClosingOutputStream extends FilterOutputStream {

    /** @param out the stream to write to; not closed by this one */
    public NonClosingOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
