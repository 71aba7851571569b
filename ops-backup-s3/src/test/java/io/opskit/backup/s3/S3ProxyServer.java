package io.opskit.backup.s3;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server (S3Proxy) in this JVM on a loopback ephemeral port, with signature
 * checking on, holding objects in memory or in a directory. One per test class; each test takes a
 * bucket of its own.
 */
final class S3ProxyServer implements AutoCloseable {

    static final String ACCESS_KEY = "opskit-test-access";
    static final String SECRET_KEY = "opskit-test-secret-" + UUID.randomUUID();

    private final S3Proxy proxy;
    private final URI endpoint;
    private final S3Client admin;

    private S3ProxyServer(org.gaul.s3proxy.blobstore.BlobStore blobs) throws Exception {
        proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                // S3Proxy does not implement object tagging (x-amz-tagging); AWS S3, MinIO and Ceph do.
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        for (int i = 0; i < 500 && !"STARTED".equals(proxy.getState()); i++) {
            Thread.onSpinWait();
            Thread.sleep(10); // waiting for Jetty to bind, not for time to pass
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
        admin = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).region(Region.US_EAST_1)
                .endpointOverride(endpoint).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    /** A server holding objects in memory. */
    static S3ProxyServer inMemory() throws Exception {
        return new S3ProxyServer(new TransientNio2BlobStore());
    }

    /** A server holding objects under {@code dir} (survives the clients that wrote them). */
    static S3ProxyServer inDirectory(Path dir) throws Exception {
        Files.createDirectories(dir);
        return new S3ProxyServer(new FilesystemNio2BlobStore(dir.toString()));
    }

    URI endpoint() {
        return endpoint;
    }

    /** A client with full rights, for checks the store does not offer (HeadObject, uploads). */
    S3Client admin() {
        return admin;
    }

    /** Creates a new bucket with a unique name. */
    String newBucket() {
        String bucket = "t-" + UUID.randomUUID().toString().substring(0, 18);
        admin.createBucket(r -> r.bucket(bucket));
        return bucket;
    }

    /** The standard AWS_* variables for a client of this server. */
    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ENDPOINT_URL", endpoint.toString());
        return env;
    }

    /** A store on {@code bucket} under {@code prefix}, configured from {@link #environment()}. */
    S3BackupStore store(String bucket, String prefix) {
        return S3BackupStore.builder().bucket(bucket).prefix(prefix).environment(environment()).build();
    }

    @Override
    public void close() throws Exception {
        admin.close();
        proxy.stop();
    }
}
