package io.opskit.backup.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The container format for directory sources ("OPSKFIL1", described in FORMAT.md): a sequence of
 * entries, each a type byte, a relative path, permission bits, a modification time, and for
 * regular files the size and the bytes; an end marker closes it. Our own format rather than tar:
 * it is a few dozen lines, has no dialects, and a missing end marker is an error by construction.
 */
public final class FileArchive {

    static final byte[] MAGIC = "OPSKFIL1".getBytes(StandardCharsets.US_ASCII);
    /** Entry types. */
    public static final int END = 0;
    /** A regular file. */
    public static final int FILE = 1;
    /** A directory. */
    public static final int DIRECTORY = 2;
    /** A symbolic link; never written by Opskit, always refused on restore. */
    public static final int LINK = 3;

    private FileArchive() {
    }

    /**
     * A files archive that breaks its format: bad magic, an unknown entry type, a negative size, no
     * end marker, or bytes after it. The archive itself is wrong (not the disk it is read to).
     */
    public static final class MalformedException extends IOException {
        private static final long serialVersionUID = 1L;

        /** Creates one with its reason. */
        public MalformedException(String message) {
            super(message);
        }
    }

    /** An entry header read from an archive. */
    public record Entry(int type, String path, int mode, long modifiedMillis, long size, String linkTarget) {
    }

    /** Writes the archive's magic. */
    public static void writeStart(DataOutputStream out) throws IOException {
        out.write(MAGIC);
    }

    /** Writes an entry header; for a file, the caller writes exactly {@code size} bytes next. */
    public static void writeEntry(DataOutputStream out, int type, String path, int mode, long modifiedMillis, long size,
                                  String linkTarget) throws IOException {
        out.writeByte(type);
        writeString(out, path);
        out.writeShort(mode & 0xFFFF);
        out.writeLong(modifiedMillis);
        if (type == FILE) {
            out.writeLong(size);
        } else if (type == LINK) {
            writeString(out, linkTarget);
        }
    }

    /** Writes the end marker. */
    public static void writeEnd(DataOutputStream out) throws IOException {
        out.writeByte(END);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IOException("path too long for the archive: " + s.substring(0, 80) + "...");
        }
        out.writeShort(b.length);
        out.write(b);
    }

    /** Reads and checks the magic. */
    public static void readStart(DataInputStream in) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new MalformedException("not an Opskit file archive (bad magic)");
        }
    }

    /**
     * Reads the next entry header, or null at the end marker, which must be the archive's last byte.
     *
     * @throws MalformedException when the archive ends without its end marker, has bytes after it, or
     *                            holds an entry of unknown type or negative size
     */
    public static @org.jspecify.annotations.Nullable Entry readEntry(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new MalformedException("file archive ends without its end marker");
        }
        if (type == END) {
            if (in.read() >= 0) {
                throw new MalformedException("file archive has bytes after its end marker");
            }
            return null;
        }
        if (type != FILE && type != DIRECTORY && type != LINK) {
            throw new MalformedException("unknown entry type " + type + " in file archive");
        }
        String path = readString(in);
        int mode = in.readUnsignedShort();
        long modified = in.readLong();
        long size = type == FILE ? in.readLong() : 0;
        String link = type == LINK ? readString(in) : "";
        if (size < 0) {
            throw new MalformedException("negative size in file archive entry " + path);
        }
        return new Entry(type, path, mode, modified, size, link);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readUnsignedShort()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Copies exactly {@code size} bytes. */
    public static void copy(InputStream in, OutputStream out, long size, byte[] buffer) throws IOException {
        long left = size;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new MalformedException("file archive truncated inside an entry");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }
}
