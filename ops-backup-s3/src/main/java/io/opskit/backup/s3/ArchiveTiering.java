package io.opskit.backup.s3;

import io.opskit.backup.s3.internal.S3Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleAndOperator;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.StorageClass;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Transition;
import software.amazon.awssdk.services.s3.model.TransitionStorageClass;

/**
 * Age-based tiering of a repository's archives: after how many days since upload an archive moves
 * to which storage class, as an S3 lifecycle rule ({@link S3BackupStore#lifecycleConfiguration(ArchiveTiering)}).
 * Manifests, verification records and the lease are never moved.
 *
 * <p>S3 refuses lifecycle transitions to {@code STANDARD_IA} or {@code ONEZONE_IA} before an object
 * is 30 days old, and a later transition less than 30 days after one of those (see "Transitioning
 * objects using Amazon S3 Lifecycle" in the Amazon S3 user guide); {@link Builder#transition(int, String)}
 * refuses such plans when they are built, not when the bucket rejects them.
 *
 * <p>Immutable and thread-safe.
 *
 * @see #manualsPlan()
 */
public final class ArchiveTiering {

    private final List<Step> steps;
    private final int abortIncompleteAfterDays;

    /**
     * One transition.
     *
     * @param afterDays    days since the archive was uploaded
     * @param storageClass the class it moves to
     */
    public record Step(int afterDays, String storageClass) {
    }

    private ArchiveTiering(List<Step> steps, int abortIncompleteAfterDays) {
        this.steps = List.copyOf(steps);
        this.abortIncompleteAfterDays = abortIncompleteAfterDays;
    }

    /** Starts a plan. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The plan closest to "Standard for 7 days, then Infrequent Access until day 30, then Glacier"
     * that S3 accepts: write archives in {@code STANDARD_IA} from the start
     * ({@code archiveStorageClass("STANDARD_IA")}, as {@code aws s3 cp --storage-class STANDARD_IA}
     * does), and move them to {@code GLACIER_IR} at day 31. A lifecycle rule cannot move an object to
     * Infrequent Access before day 30, so the first week's Standard stage cannot be had by rules;
     * Glacier Instant Retrieval rather than Flexible Retrieval keeps old archives readable at once, so
     * that verification and restore work on them without a restore request.
     */
    public static ArchiveTiering manualsPlan() {
        return builder().transition(31, "GLACIER_IR").build();
    }

    /** The transitions, in order of age. */
    public List<Step> steps() {
        return steps;
    }

    /** Days after which the rule aborts multipart uploads left incomplete. */
    public int abortIncompleteAfterDays() {
        return abortIncompleteAfterDays;
    }

    /**
     * The id of the lifecycle rule for a repository under {@code prefix}.
     *
     * @param prefix the store's key prefix (empty or ending with {@code /})
     * @return {@code opskit-archives-} followed by the prefix without its last {@code /}, or {@code opskit-archives}
     */
    public static String ruleId(String prefix) {
        String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        String id = p.isEmpty() ? "opskit-archives" : "opskit-archives-" + p.replace('/', '-');
        return id.length() <= 255 ? id : id.substring(0, 255);
    }

    LifecycleRule rule(String prefix) {
        List<Transition> transitions = new ArrayList<>();
        for (Step s : steps) {
            transitions.add(Transition.builder().days(s.afterDays())
                    .storageClass(TransitionStorageClass.fromValue(s.storageClass())).build());
        }
        LifecycleRuleFilter filter = LifecycleRuleFilter.builder().and(LifecycleRuleAndOperator.builder()
                .prefix(prefix).tags(Tag.builder().key(S3BackupStore.KIND_TAG).value("archive").build()).build()).build();
        return LifecycleRule.builder().id(ruleId(prefix)).status(ExpirationStatus.ENABLED).filter(filter)
                .transitions(transitions).build();
    }

    /**
     * The lifecycle rule that aborts incomplete uploads under a prefix (a tag filter cannot carry it:
     * S3 refuses an abort action on a rule filtered by tags).
     */
    LifecycleRule abortRule(String prefix) {
        return LifecycleRule.builder().id(ruleId(prefix) + "-incomplete").status(ExpirationStatus.ENABLED)
                .filter(LifecycleRuleFilter.builder().prefix(prefix).build())
                .abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder()
                        .daysAfterInitiation(abortIncompleteAfterDays).build())
                .build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArchiveTiering t && t.steps.equals(steps) && t.abortIncompleteAfterDays == abortIncompleteAfterDays;
    }

    @Override
    public int hashCode() {
        return Objects.hash(steps, abortIncompleteAfterDays);
    }

    @Override
    public String toString() {
        return "ArchiveTiering" + steps + ", abort incomplete uploads after " + abortIncompleteAfterDays + " d";
    }

    /** Builds an {@link ArchiveTiering}. Not thread-safe. */
    public static final class Builder {
        private final List<Step> steps = new ArrayList<>();
        private int abortIncompleteAfterDays = 7;

        private Builder() {
        }

        /**
         * Moves archives to {@code storageClass} {@code afterDays} days after upload. Steps are given
         * in order of age.
         *
         * @throws IllegalArgumentException naming the value when the class is unknown or cannot be a
         *                                  lifecycle target, the days are not after the previous step's, a move to
         *                                  an Infrequent Access class comes before day 30, or a step follows an
         *                                  Infrequent Access one by less than 30 days
         */
        public Builder transition(int afterDays, String storageClass) {
            Objects.requireNonNull(storageClass, "storageClass");
            StorageClass c = S3Settings.storageClass(storageClass, "storageClass");
            TransitionStorageClass target = TransitionStorageClass.fromValue(c.toString());
            if (target == null || target == TransitionStorageClass.UNKNOWN_TO_SDK_VERSION) {
                throw new IllegalArgumentException("storageClass cannot be a lifecycle transition target: " + storageClass);
            }
            if (afterDays < 0) {
                throw new IllegalArgumentException("afterDays must not be negative: " + afterDays);
            }
            boolean infrequent = c == StorageClass.STANDARD_IA || c == StorageClass.ONEZONE_IA;
            if (infrequent && afterDays < 30) {
                throw new IllegalArgumentException("afterDays must be at least 30 for a move to " + c
                        + " (S3 refuses earlier ones; write archives in it from the start instead): " + afterDays);
            }
            if (!steps.isEmpty()) {
                Step last = steps.get(steps.size() - 1);
                if (afterDays <= last.afterDays()) {
                    throw new IllegalArgumentException("afterDays must be after the previous step's "
                            + last.afterDays() + ": " + afterDays);
                }
                boolean lastInfrequent = last.storageClass().equals("STANDARD_IA") || last.storageClass().equals("ONEZONE_IA");
                if (lastInfrequent && afterDays < last.afterDays() + 30) {
                    throw new IllegalArgumentException("afterDays must be at least 30 days after the move to "
                            + last.storageClass() + " at day " + last.afterDays() + ": " + afterDays);
                }
            }
            steps.add(new Step(afterDays, c.toString()));
            return this;
        }

        /**
         * Days after which multipart uploads left incomplete under the prefix are aborted; default 7.
         *
         * @throws IllegalArgumentException when not positive
         */
        public Builder abortIncompleteAfterDays(int days) {
            if (days < 1) {
                throw new IllegalArgumentException("abortIncompleteAfterDays must be positive: " + days);
            }
            this.abortIncompleteAfterDays = days;
            return this;
        }

        /**
         * Builds the plan.
         *
         * @throws IllegalStateException when no transition was given
         */
        public ArchiveTiering build() {
            if (steps.isEmpty()) {
                throw new IllegalStateException("transition is required: at least one step");
            }
            return new ArchiveTiering(steps, abortIncompleteAfterDays);
        }
    }
}
