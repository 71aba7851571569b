package io.opskit.backup.internal;

/** A source that can estimate its snapshot's size in bytes, for progress reporting. */
public interface SizeHint {

    /** The expected snapshot size in bytes, or -1 when unknown. */
    long expectedBytes();
}
