/** Internals of the S3 store: settings resolution, the multipart writer, the store provider. */
@NullMarked
package io.opskit.backup.s3.internal;

import org.jspecify.annotations.NullMarked;
