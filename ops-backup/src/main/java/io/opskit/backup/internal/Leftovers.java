package io.opskit.backup.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporary files and directories that name the process that made them ({@code PREFIX + "p" + PID +
 * "-" + random + SUFFIX}), so that the next operation recognises what a killed process left (its pid is
 * gone) and removes it, without touching what a live process on this host is still writing.
 */
public final class Leftovers {

    private static final Logger log = LoggerFactory.getLogger(Leftovers.class);
    private static final String[] COMPANIONS = {"-journal", "-wal", "-shm"};

    private Leftovers() {
    }

    /** The owner part of a temporary name: {@code p<pid>-}. */
    public static String ownerTag() {
        return "p" + ProcessHandle.current().pid() + "-";
    }

    /**
     * Removes entries of {@code dir} named {@code prefix + "p" + PID + "-" ... + suffix} whose process is
     * gone (with their SQLite companions). Untagged entries with the prefix (written by Opskit 0.1,
     * which tagged nothing) are removed too when older than an hour.
     *
     * @return how many were removed
     */
    public static int remove(Path dir, String prefix, String suffix) {
        int removed = 0;
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, e -> {
            String n = e.getFileName().toString();
            return n.startsWith(prefix) && (suffix.isEmpty() || n.endsWith(suffix) || isCompanion(n, suffix));
        })) {
            for (Path p : entries) {
                if (isStale(p, p.getFileName().toString().substring(prefix.length()))) {
                    stale.add(p);
                }
            }
        } catch (IOException e) {
            log.debug("could not scan {} for leftovers: {}", dir, e.toString());
            return 0;
        }
        for (Path p : stale) {
            try {
                deleteTree(p);
                removed++;
            } catch (IOException e) {
                log.debug("could not remove leftover {}: {}", p, e.toString());
            }
        }
        if (removed > 0) {
            log.info("removed {} temporary files left in {} by an interrupted operation", removed, dir);
        }
        return removed;
    }

    private static boolean isCompanion(String name, String suffix) {
        for (String c : COMPANIONS) {
            if (name.endsWith(suffix + c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStale(Path p, String rest) {
        if (rest.startsWith("p")) {
            int dash = rest.indexOf('-');
            if (dash > 1) {
                try {
                    long pid = Long.parseLong(rest.substring(1, dash));
                    return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
                } catch (NumberFormatException ignored) {
                    // not ours: fall through to the age rule
                }
            }
        }
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.lastModifiedTime().toMillis() < System.currentTimeMillis() - 3_600_000L;
        } catch (IOException e) {
            return false;
        }
    }

    /** Deletes a temporary SQLite file and its {@code -journal}, {@code -wal} and {@code -shm}. */
    public static void deleteWithCompanions(Path file) throws IOException {
        Files.deleteIfExists(file);
        for (String c : COMPANIONS) {
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + c));
        }
    }

    /** Deletes a file, or a directory with everything under it; nothing when absent. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> all = Files.walk(root)) {
                List<Path> paths = all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
                for (Path p : paths) {
                    Files.deleteIfExists(p);
                }
            }
        } else {
            Files.deleteIfExists(root);
        }
    }
}
