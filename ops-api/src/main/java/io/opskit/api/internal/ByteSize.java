package io.opskit.api.internal;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;

/**
 * Byte sizes as text, one way for every module. Formatting uses binary (IEC) units
 * ({@code 15.2 MiB}); parsing accepts both decimal units ({@code KB}, {@code MB}, {@code GB},
 * {@code TB}: powers of 1000, as disks and the manuals count) and binary ones ({@code KiB} ...
 * {@code TiB}: powers of 1024), and a bare number of bytes.
 */
public final class ByteSize {

    private static final String[] IEC = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteSize() {
    }

    /**
     * Formats a byte count with one decimal in the largest binary unit that keeps it at least 1.
     *
     * @param bytes a count of bytes; negative counts are formatted with a minus sign
     * @return text such as {@code "512 B"}, {@code "15.2 MiB"}
     */
    public static String format(long bytes) {
        if (bytes == Long.MIN_VALUE) {
            return "-8.0 EiB";
        }
        long abs = Math.abs(bytes);
        if (abs < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double value = abs;
        while (value >= 1024 && unit < IEC.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%s%.1f %s", bytes < 0 ? "-" : "", value, IEC[unit]);
    }

    /**
     * Parses {@code "10GB"}, {@code "512 MiB"}, {@code "1.5 GB"}, {@code "4096"}.
     *
     * @param text the size; not null
     * @return the number of bytes, rounded down
     * @throws IllegalArgumentException when the text is not a size or does not fit in a long
     */
    public static long parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        if (i == 0 || s.length() > 40) {
            throw new IllegalArgumentException("not a byte size: '" + text + "'");
        }
        String unit = s.substring(i).strip().toUpperCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "", "B" -> 1L;
            case "K", "KB" -> 1_000L;
            case "M", "MB" -> 1_000_000L;
            case "G", "GB" -> 1_000_000_000L;
            case "T", "TB" -> 1_000_000_000_000L;
            case "KIB" -> 1L << 10;
            case "MIB" -> 1L << 20;
            case "GIB" -> 1L << 30;
            case "TIB" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown byte unit '" + s.substring(i).strip()
                    + "' in '" + text + "' (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
        };
        try {
            return new BigDecimal(s.substring(0, i)).multiply(BigDecimal.valueOf(multiplier))
                    .setScale(0, java.math.RoundingMode.DOWN).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not a byte size: '" + text + "'", e);
        }
    }
}
