package io.opskit.backup.pitr.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Extracts the tar stream {@code pg_basebackup --format=tar} writes (ustar, with GNU long names and
 * pax path records understood) into a directory. Refuses absolute paths, {@code ..} and links;
 * keeps permission bits; optionally gives every file to an owner (a restore run as root for a
 * server run as {@code postgres}).
 */
public final class TarExtractor {

    private static final int BLOCK = 512;

    private TarExtractor() {
    }

    /** What was extracted. */
    public record Result(long files, long bytes, @Nullable String backupLabel) {
    }

    /**
     * Extracts every entry under {@code dir} (created when missing), then reads what follows the
     * end marker so the caller's stream is consumed.
     *
     * @throws IOException when the stream is not a well-formed tar or an entry would escape {@code dir}
     */
    public static Result extract(InputStream in, Path dir, @Nullable UserPrincipal owner) throws IOException {
        mkdirs(dir, owner);
        permissions(dir, 0700, owner);
        byte[] header = new byte[BLOCK];
        byte[] buf = new byte[1 << 16];
        String longName = null;
        String label = null;
        long files = 0;
        long bytes = 0;
        int zeroBlocks = 0;
        while (true) {
            if (in.readNBytes(header, 0, BLOCK) != BLOCK) {
                throw new EOFException("tar stream ends without its end marker");
            }
            if (allZero(header)) {
                if (++zeroBlocks == 2) {
                    break;
                }
                continue;
            }
            zeroBlocks = 0;
            char type = (char) header[156];
            long size = number(header, 124, 12);
            String name = longName != null ? longName : name(header);
            longName = null;
            if (type == 'L' || type == 'x') {
                byte[] data = in.readNBytes((int) size);
                skip(in, pad(size));
                if (type == 'L') {
                    longName = cString(data, 0, data.length);
                } else {
                    longName = paxPath(data);
                }
                continue;
            }
            if (type == 'g') {
                skip(in, size + pad(size));
                continue;
            }
            Path target = resolve(dir, name);
            int mode = (int) number(header, 100, 8) & 0777;
            switch (type) {
                case '5' -> {
                    mkdirs(target, owner);
                    permissions(target, mode == 0 ? 0700 : mode, owner);
                }
                case '0', '\0' -> {
                    mkdirs(Objects.requireNonNull(target.getParent(), "parent of " + target), owner);
                    boolean isLabel = name.equals("backup_label");
                    java.io.ByteArrayOutputStream labelBytes = isLabel ? new java.io.ByteArrayOutputStream() : null;
                    try (OutputStream out = Files.newOutputStream(target)) {
                        long left = size;
                        while (left > 0) {
                            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                            if (n < 0) {
                                throw new EOFException("tar stream ends inside " + name);
                            }
                            out.write(buf, 0, n);
                            if (labelBytes != null) {
                                labelBytes.write(buf, 0, n);
                            }
                            left -= n;
                        }
                    }
                    skip(in, pad(size));
                    permissions(target, mode == 0 ? 0600 : mode, owner);
                    if (labelBytes != null) {
                        label = labelBytes.toString(StandardCharsets.UTF_8);
                    }
                    files++;
                    bytes += size;
                }
                default -> throw new IOException("tar entry " + name + " of type '" + type
                        + "' (a link or device) is not restored; a base backup with tablespaces needs them restored by hand");
            }
        }
        in.transferTo(OutputStream.nullOutputStream());
        return new Result(files, bytes, label);
    }

    private static void mkdirs(Path d, @Nullable UserPrincipal owner) throws IOException {
        if (Files.isDirectory(d)) {
            return;
        }
        Path parent = d.getParent();
        if (parent != null) {
            mkdirs(parent, owner);
        }
        Files.createDirectory(d);
        permissions(d, 0700, owner);
    }

    private static Path resolve(Path dir, String name) throws IOException {
        String clean = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        if (clean.startsWith("./")) {
            clean = clean.substring(2);
        }
        if (clean.isEmpty() || clean.startsWith("/") || clean.equals("..") || clean.startsWith("../")
                || clean.contains("/../") || clean.endsWith("/..")) {
            throw new IOException("tar entry escapes the data directory: " + name);
        }
        return dir.resolve(clean).normalize();
    }

    private static void permissions(Path p, int mode, @Nullable UserPrincipal owner) throws IOException {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(order[i]);
            }
        }
        try {
            Files.setPosixFilePermissions(p, perms);
            if (owner != null) {
                Files.setOwner(p, owner);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the defaults
        }
    }

    private static String name(byte[] h) {
        String name = cString(h, 0, 100);
        if (h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r') {
            String prefix = cString(h, 345, 155);
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private static @Nullable String paxPath(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) {
                return record.substring(space + 6);
            }
        }
        return null;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** An octal field, or a base-256 one (high bit set) for sizes over 8 GiB. */
    static long number(byte[] h, int off, int len) throws IOException {
        if ((h[off] & 0x80) != 0) {
            long v = h[off] & 0x7F;
            for (int i = 1; i < len; i++) {
                v = (v << 8) | (h[off + i] & 0xFF);
            }
            return v;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte c = h[i];
            if (c == 0 || c == ' ') {
                if (v > 0 || i > off) {
                    if (c == 0) {
                        break;
                    }
                    continue;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                throw new IOException("malformed tar header (bad number)");
            }
            v = (v << 3) | (c - '0');
        }
        return v;
    }

    private static long pad(long size) {
        long r = size % BLOCK;
        return r == 0 ? 0 : BLOCK - r;
    }

    private static void skip(InputStream in, long n) throws IOException {
        long left = n;
        byte[] b = new byte[BLOCK];
        while (left > 0) {
            int r = in.read(b, 0, (int) Math.min(b.length, left));
            if (r < 0) {
                throw new EOFException("tar stream truncated");
            }
            left -= r;
        }
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
