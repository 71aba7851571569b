package io.opskit.backup.s3.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.StorageClass;

/**
 * The resolved settings of an S3 store and the client built from them: what the builder was given,
 * else the environment (as the AWS CLI reads it), else the SDK's default chains.
 *
 * @param client   the client
 * @param bucket   the bucket
 * @param prefix   the key prefix, empty or ending with {@code /}
 * @param endpoint the endpoint override, if any
 */
public record S3Settings(S3Client client, String bucket, String prefix, Optional<URI> endpoint) {

    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*/?");

    /** Resolves unset values from {@code env} and builds the client. */
    public static S3Settings resolve(String bucket, String prefix, @Nullable String region, @Nullable URI endpoint,
                                     @Nullable Boolean pathStyle, @Nullable AwsCredentialsProvider credentials,
                                     Map<String, String> env) {
        URI resolvedEndpoint = endpoint;
        if (resolvedEndpoint == null) {
            String fromEnv = nonBlank(env.get("AWS_ENDPOINT_URL_S3"));
            String name = "AWS_ENDPOINT_URL_S3";
            if (fromEnv == null) {
                fromEnv = nonBlank(env.get("AWS_ENDPOINT_URL"));
                name = "AWS_ENDPOINT_URL";
            }
            if (fromEnv != null) {
                resolvedEndpoint = checkEndpoint(fromEnv, name);
            }
        }
        String resolvedRegion = region;
        if (resolvedRegion == null) {
            resolvedRegion = nonBlank(env.get("AWS_REGION"));
        }
        if (resolvedRegion == null) {
            resolvedRegion = nonBlank(env.get("AWS_DEFAULT_REGION"));
        }
        if (resolvedRegion == null) {
            try {
                resolvedRegion = DefaultAwsRegionProviderChain.builder().build().getRegion().id();
            } catch (RuntimeException e) {
                if (resolvedEndpoint == null) {
                    throw new IllegalStateException("region is required for AWS S3: set AWS_REGION or region(...)", e);
                }
                // S3-compatible servers ignore the region, but request signing needs one.
                resolvedRegion = "us-east-1";
            }
        }
        AwsCredentialsProvider resolvedCredentials = credentials != null ? credentials : credentialsFrom(env);
        S3ClientBuilder b = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(Region.of(resolvedRegion))
                .credentialsProvider(resolvedCredentials)
                .forcePathStyle(pathStyle != null ? pathStyle : resolvedEndpoint != null)
                // HttpURLConnection and "Expect: 100-continue" fail a body write now and then, and the
                // SDK's retry then meets its own first, successful write.
                .serviceConfiguration(c -> c.expectContinueEnabled(false))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED);
        if (resolvedEndpoint != null) {
            b.endpointOverride(resolvedEndpoint);
        }
        return new S3Settings(b.build(), bucket, prefix, Optional.ofNullable(resolvedEndpoint));
    }

    private static AwsCredentialsProvider credentialsFrom(Map<String, String> env) {
        String id = nonBlank(env.get("AWS_ACCESS_KEY_ID"));
        String secret = nonBlank(env.get("AWS_SECRET_ACCESS_KEY"));
        if (id != null && secret != null) {
            String token = nonBlank(env.get("AWS_SESSION_TOKEN"));
            return StaticCredentialsProvider.create(token != null
                    ? AwsSessionCredentials.create(id, secret, token) : AwsBasicCredentials.create(id, secret));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static @Nullable String nonBlank(@Nullable String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** Validates a bucket name. */
    public static String checkBucket(String bucket) {
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new IllegalArgumentException("bucket must be 3 to 63 characters of [a-z0-9.-], starting and ending"
                    + " with a letter or digit: '" + bucket + "'");
        }
        return bucket;
    }

    /** Validates a key prefix and makes it end with {@code /} (empty stays empty). */
    public static String normalizePrefix(String prefix) {
        String p = prefix.startsWith("/") ? prefix.substring(1) : prefix;
        if (p.isEmpty()) {
            return "";
        }
        if (!PREFIX.matcher(p).matches() || p.contains("..")) {
            throw new IllegalArgumentException("prefix must be made of [A-Za-z0-9._/-] without '..': '" + prefix + "'");
        }
        return p.endsWith("/") ? p : p + "/";
    }

    /** Validates an endpoint URI: absolute http or https, no user info (credentials never go in a URL). */
    public static URI checkEndpoint(String value, String field) {
        URI uri;
        try {
            uri = new URI(value.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(field + " must be an http or https URL: '" + value + "'", e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(field + " must be an http or https URL: '" + value + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(field + " must not hold credentials: use AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY");
        }
        return uri;
    }

    /** A storage class objects can be read from at once (no restore request first). */
    public static StorageClass checkInstantClass(String value, String field) {
        StorageClass c = storageClass(value, field);
        if (c == StorageClass.GLACIER || c == StorageClass.DEEP_ARCHIVE) {
            throw new IllegalArgumentException(field + " must be readable at once (verification reads archives back;"
                    + " GLACIER_IR is): " + value);
        }
        return c;
    }

    /** A storage class S3 knows. */
    public static StorageClass storageClass(String value, String field) {
        StorageClass c = StorageClass.fromValue(value.strip().toUpperCase(Locale.ROOT));
        if (c == null || c == StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException(field + " must be an S3 storage class such as STANDARD, STANDARD_IA,"
                    + " GLACIER_IR: " + value);
        }
        return c;
    }
}
