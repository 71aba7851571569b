package io.opskit.ratelimit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A dated list of model prices, loaded from JSON. Opskit ships no prices: they change, and a
 * guard must charge what the host's contract says. The format (version 1):
 *
 * <pre>{@code
 * {
 *   "format": 1,
 *   "version": "2026-11-01",
 *   "asOf": "2026-11-01",
 *   "unit": "micro-usd-per-million-tokens",
 *   "models": {
 *     "openai/gpt-4o":      {"input": 2500000, "cachedInput": 1250000, "output": 10000000},
 *     "openai/gpt-4o-mini": {"input": 150000,  "cachedInput": 75000,   "output": 600000, "reasoning": 600000}
 *   }
 * }
 * }</pre>
 *
 * <p>Keys are {@code provider/model}. {@code cachedInput} defaults to {@code input} and
 * {@code reasoning} to {@code output}. Unknown fields, a wrong unit, negative or absurd prices
 * (above 1,000 USD per million tokens) are rejected, so a typo fails loudly instead of
 * mis-charging. Immutable and thread-safe.
 */
public final class PriceTable {

    /** The only unit the format accepts, spelled out so a table in dollars cannot slip in. */
    public static final String UNIT = "micro-usd-per-million-tokens";

    /** The largest table accepted, in characters (or bytes from a stream): 1 MiB holds thousands of models. */
    public static final int MAX_SIZE = 1 << 20;

    // Strict: duplicate fields, trailing data, deep nesting, huge numbers and strings are refused.
    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).maxNumberLength(32)
                            .maxStringLength(10_000).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Set<String> TOP_FIELDS = Set.of("format", "version", "asOf", "unit", "models");
    private static final Set<String> PRICE_FIELDS = Set.of("input", "cachedInput", "output", "reasoning");

    private final String version;
    private final LocalDate asOf;
    private final Map<String, ModelPrice> prices;

    private PriceTable(String version, LocalDate asOf, Map<String, ModelPrice> prices) {
        this.version = version;
        this.asOf = asOf;
        this.prices = Map.copyOf(prices);
    }

    /**
     * Builds a table in code.
     *
     * @param version a label for the table, e.g. the date of the provider's price page
     * @param asOf    the day the prices were read
     * @param prices  prices by {@code provider/model}
     * @throws IllegalArgumentException when the version is blank, prices are empty or a key is not
     *         {@code provider/model}
     */
    public static PriceTable of(String version, LocalDate asOf, Map<String, ModelPrice> prices) {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(asOf, "asOf");
        Objects.requireNonNull(prices, "prices");
        if (version.isBlank()) {
            throw new IllegalArgumentException("version must not be blank: '" + version + "'");
        }
        if (prices.isEmpty()) {
            throw new IllegalArgumentException("models must name at least one model: {}");
        }
        prices.keySet().forEach(PriceTable::checkKey);
        return new PriceTable(version, asOf, prices);
    }

    /**
     * Reads a table from JSON text.
     *
     * @throws IllegalArgumentException naming the field (or the position) when the JSON is malformed,
     *         larger than {@link #MAX_SIZE}, nested too deep, holds a duplicate field or trailing data,
     *         or a value is missing, mistyped, negative or absurd
     */
    public static PriceTable fromJson(String json) {
        Objects.requireNonNull(json, "json");
        if (json.length() > MAX_SIZE) {
            throw new IllegalArgumentException("price table must be at most " + MAX_SIZE + " characters: "
                    + json.length());
        }
        JsonParser parser;
        try {
            parser = JSON.getFactory().createParser(json);
        } catch (IOException e) {
            throw new UncheckedIOException("price table could not be read", e); // not from a String
        }
        try {
            return fromTree(JSON.readTree(parser)); // FAIL_ON_TRAILING_TOKENS applies here too
        } catch (JsonProcessingException e) {
            // Jackson's constraint errors (nesting depth, number length) carry no location: the parser has it.
            JsonLocation at = e.getLocation() != null ? e.getLocation() : parser.currentLocation();
            throw new IllegalArgumentException("price table is not valid JSON: " + e.getOriginalMessage() + where(at),
                    e);
        } catch (IOException e) {
            throw new UncheckedIOException("price table could not be read", e); // not from a String
        } finally {
            try {
                parser.close();
            } catch (IOException e) {
                // nothing to release for a String
            }
        }
    }

    private static String where(@Nullable JsonLocation at) {
        return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
    }

    /**
     * Reads a table from a JSON stream; the stream is read to its end but not closed.
     *
     * @throws IllegalArgumentException as {@link #fromJson(String)}
     * @throws UncheckedIOException     when the stream cannot be read
     */
    public static PriceTable fromJson(InputStream in) {
        Objects.requireNonNull(in, "in");
        try {
            byte[] bytes = in.readNBytes(MAX_SIZE + 1);
            if (bytes.length > MAX_SIZE) {
                throw new IllegalArgumentException("price table must be at most " + MAX_SIZE + " bytes");
            }
            return fromJson(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("price table could not be read", e);
        }
    }

    private static PriceTable fromTree(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("price table must be a JSON object");
        }
        unknownFields("price table", (ObjectNode) root, TOP_FIELDS);
        JsonNode format = root.get("format");
        if (format == null || !format.isInt() || format.intValue() != 1) {
            throw new IllegalArgumentException("format must be 1: " + format);
        }
        String version = text(root, "version");
        String asOfText = text(root, "asOf");
        LocalDate asOf;
        try {
            asOf = LocalDate.parse(asOfText);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("asOf must be a date like 2026-11-01: '" + asOfText + "'", e);
        }
        String unit = text(root, "unit");
        if (!UNIT.equals(unit)) {
            throw new IllegalArgumentException("unit must be '" + UNIT + "': '" + unit + "'");
        }
        JsonNode models = root.get("models");
        if (models == null || !models.isObject()) {
            throw new IllegalArgumentException("models must be a JSON object of provider/model to prices");
        }
        Map<String, ModelPrice> prices = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            checkKey(key);
            String where = "models." + key;
            if (!e.getValue().isObject()) {
                throw new IllegalArgumentException(where + " must be a JSON object of prices");
            }
            ObjectNode node = (ObjectNode) e.getValue();
            unknownFields(where, node, PRICE_FIELDS);
            long input = price(node, where, "input", null);
            long output = price(node, where, "output", null);
            long cached = price(node, where, "cachedInput", input);
            long reasoning = price(node, where, "reasoning", output);
            try {
                prices.put(key, new ModelPrice(input, cached, output, reasoning));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(where + ": " + bad.getMessage(), bad);
            }
        }
        return of(version, asOf, prices);
    }

    private static void unknownFields(String where, ObjectNode node, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException(where + " has an unknown field: '" + name + "' (known: "
                        + new java.util.TreeSet<>(known) + ")");
            }
        }
    }

    private static String text(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || !node.isTextual() || node.textValue().isBlank()) {
            throw new IllegalArgumentException(field + " must be a non-empty string: " + node);
        }
        return node.textValue();
    }

    private static long price(ObjectNode node, String where, String field, @Nullable Long fallback) {
        JsonNode value = node.get(field);
        if (value == null) {
            if (fallback == null) {
                throw new IllegalArgumentException(where + "." + field + " is required");
            }
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException(where + "." + field
                    + " must be an integer number of micro-USD per million tokens: " + value);
        }
        long micros = value.longValue();
        if (micros < 0 || micros > ModelPrice.MAX_SANE_MICROS_PER_MILLION) {
            throw new IllegalArgumentException(where + "." + field + " must be 0 to "
                    + ModelPrice.MAX_SANE_MICROS_PER_MILLION + " micro-USD per million tokens: " + micros);
        }
        return micros;
    }

    private static void checkKey(String key) {
        int slash = key.indexOf('/');
        if (slash <= 0 || slash == key.length() - 1 || key.indexOf('/', slash + 1) >= 0 || key.isBlank()) {
            throw new IllegalArgumentException("model key must be 'provider/model': '" + key + "'");
        }
    }

    /** The table's version label. */
    public String version() {
        return version;
    }

    /** The day the prices were read. */
    public LocalDate asOf() {
        return asOf;
    }

    /** The price of {@code provider/model}, or empty when the table does not list it. */
    public Optional<ModelPrice> price(String provider, String model) {
        return Optional.ofNullable(prices.get(provider + "/" + model));
    }

    /** Every listed {@code provider/model}. */
    public Set<String> models() {
        return prices.keySet();
    }

    @Override
    public String toString() {
        return "PriceTable{version=" + version + ", asOf=" + asOf + ", models=" + prices.keySet() + '}';
    }
}
