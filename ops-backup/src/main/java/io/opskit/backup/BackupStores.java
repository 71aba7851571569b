package io.opskit.backup;

import io.opskit.api.backup.BackupStore;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a backup store from a location string, as the CLI's {@code --repo} takes it: a directory
 * path (or a {@code file://} URI) opens a {@link LocalDirectoryStore}; {@code SCHEME://...} opens
 * the store of the {@link BackupStoreProvider} registered for that scheme, such as
 * {@code s3://BUCKET/PREFIX} with the {@code ops-backup-s3} module on the class or module path.
 *
 * <pre>{@code
 * BackupStore store = BackupStores.open("s3://backups/app1");
 * BackupRepository repository = BackupRepository.builder().store(store)...build();
 * }</pre>
 *
 * <p>Thread-safe; the methods are static.
 */
public final class BackupStores {

    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://.*", Pattern.DOTALL);

    /** The modules that provide the stores Opskit ships, by scheme, for the error a missing one gives. */
    private static final Map<String, String> KNOWN_MODULES = Map.of("s3", "io.opskit:ops-backup-s3");

    private BackupStores() {
    }

    /**
     * Opens the store at {@code location}, reading any settings a provider needs (endpoint, region,
     * credentials) from the process environment.
     *
     * @param location a directory path, a {@code file://} URI or {@code SCHEME://...}
     * @return the store
     * @throws IllegalArgumentException when the location is empty or malformed, or no provider is
     *                                  registered for its scheme (the message names the module to add)
     * @throws BackupFailedException    when a local directory cannot be created
     */
    public static BackupStore open(String location) {
        return open(location, System.getenv());
    }

    /**
     * Opens the store at {@code location}, reading provider settings from {@code environment}
     * instead of the process environment.
     *
     * @param location    a directory path, a {@code file://} URI or {@code SCHEME://...}
     * @param environment variables such as {@code AWS_REGION} or {@code AWS_ENDPOINT_URL}
     * @return the store
     * @throws IllegalArgumentException when the location is empty or malformed, or no provider is
     *                                  registered for its scheme (the message names the module to add)
     * @throws BackupFailedException    when a local directory cannot be created
     */
    public static BackupStore open(String location, Map<String, String> environment) {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(environment, "environment");
        Optional<Path> local = localDirectory(location);
        if (local.isPresent()) {
            return LocalDirectoryStore.open(local.get());
        }
        String scheme = scheme(location).orElseThrow();
        URI uri;
        try {
            uri = new URI(location);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("repository location is not a valid URI: " + e.getReason(), e);
        }
        List<BackupStoreProvider> providers = providers();
        for (BackupStoreProvider p : providers) {
            if (p.scheme().toLowerCase(Locale.ROOT).equals(scheme)) {
                return p.open(uri, Map.copyOf(environment));
            }
        }
        TreeSet<String> known = new TreeSet<>();
        known.add("file");
        providers.forEach(p -> known.add(p.scheme().toLowerCase(Locale.ROOT)));
        String module = KNOWN_MODULES.get(scheme);
        throw new IllegalArgumentException(module != null
                ? "repository " + scheme + "://... needs the " + module + " module on the class or module path"
                        + " (for the command line: opskit-backup-s3-cli.jar)"
                : "no backup store for the scheme '" + scheme + "' in the repository location; known schemes: "
                        + String.join(", ", known));
    }

    /**
     * The directory a location names when it is a local one (a path, or a {@code file://} URI).
     *
     * @param location a repository location
     * @return the directory, or empty when the location names another kind of store
     * @throws IllegalArgumentException when the location is empty
     */
    public static Optional<Path> localDirectory(String location) {
        Objects.requireNonNull(location, "location");
        if (location.isBlank()) {
            throw new IllegalArgumentException("repository location must not be empty: '" + location + "'");
        }
        Optional<String> scheme = scheme(location);
        if (scheme.isEmpty()) {
            return Optional.of(Path.of(location));
        }
        if (scheme.get().equals("file")) {
            try {
                return Optional.of(Path.of(new URI(location)));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IllegalArgumentException("repository location is not a valid file URI: " + location, e);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> scheme(String location) {
        Matcher m = SCHEME.matcher(location);
        return m.matches() ? Optional.of(m.group(1).toLowerCase(Locale.ROOT)) : Optional.empty();
    }

    private static List<BackupStoreProvider> providers() {
        List<BackupStoreProvider> found = new ArrayList<>();
        ServiceLoader.load(BackupStoreProvider.class).forEach(found::add);
        if (found.isEmpty()) {
            // A host whose context class loader does not see Opskit's jars (a container) still finds
            // the providers beside this one.
            ServiceLoader.load(BackupStoreProvider.class, BackupStores.class.getClassLoader()).forEach(found::add);
        }
        return found;
    }
}
