package io.opskit.backup.retention;

import java.time.Instant;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * A retention plan: for every backup of a repository, keep or delete, with the reasons.
 *
 * <p>{@link #plan plan(policy, records, now, force)} is pure: it reads nothing but its arguments,
 * touches no storage and gives the same plan for the same arguments (records are ordered by
 * creation time, then id, so their input order does not matter). Print a plan for a dry run;
 * apply it by deleting {@link #toDelete()}. Planning again with the kept backups and the same
 * {@code now} deletes nothing more.
 *
 * <h2>Rules</h2>
 * Only verified backups fill keep slots; a verified backup is kept when any rule keeps it:
 * <ul>
 *   <li>the newest verified backup is always kept ({@code "newest verified backup"}), whatever
 *       the policy says, so a restore always has a known-good backup;</li>
 *   <li>keep-last N keeps the N newest verified backups ({@code "last 7 verified (#3)"});</li>
 *   <li>keep-within D keeps verified backups created at or after {@code now - D}
 *       ({@code "within 30d"}); the window is measured from {@code now}, so a repository whose
 *       backups stopped loses old ones to this rule, but never its newest verified backup, and
 *       never more than the delete limit in one run;</li>
 *   <li>hourly, daily, weekly, monthly and yearly N keep, as restic does, the newest verified
 *       backup of each of the N newest calendar buckets that contain a verified backup, with the
 *       buckets taken in the policy's time zone ({@code "daily 2026-11-20"},
 *       {@code "weekly 2026-W47"}, {@code "monthly 2026-11"}, {@code "yearly 2026"},
 *       {@code "hourly 2026-11-01T01:00-04:00"}). Weeks are ISO weeks (Monday to Sunday). A day
 *       is a calendar day in the zone, 23 or 25 hours long on a daylight-saving change; the two
 *       repeated hours of an autumn change are two hourly buckets (their offsets differ). Buckets
 *       without a verified backup are skipped, not counted, so keep-daily 7 keeps seven backups
 *       even if some days had none.</li>
 * </ul>
 *
 * <h2>Unverified backups</h2>
 * An unverified backup never fills a keep slot and never pushes a verified backup out of one.
 * <ul>
 *   <li>Newer than the newest verified backup: kept ({@code "unverified, newer than the newest
 *       verified backup"}) — it may be in progress or awaiting verification.</li>
 *   <li>When the repository has no verified backup at all, every backup is kept: with nothing
 *       known to be good, deleting anything could delete the only usable copy.</li>
 *   <li>Older than the newest verified backup: kept while inside the keep-within window (it may
 *       still be verified), otherwise deleted ({@code "unverified, older than the newest verified
 *       backup"}): a verified newer backup supersedes it.</li>
 * </ul>
 *
 * <h2>Delete limit</h2>
 * When the plan would delete more than {@code floor(maxDeleteFraction × number of backups)}
 * backups, {@code plan} throws {@link RetentionLimitExceededException} (holding the refused plan)
 * unless {@code force} is true; a forced plan reports {@link #exceedsDeleteLimit()}.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetentionPlan {

    private static final Comparator<BackupRecord> NEWEST_FIRST =
            Comparator.comparing(BackupRecord::createdAt).thenComparing(BackupRecord::id).reversed();

    private final RetentionPolicy policy;
    private final Instant now;
    private final List<RetentionDecision> decisions;
    private final List<BackupRecord> toKeep;
    private final List<BackupRecord> toDelete;
    private final int allowedDeletes;

    private RetentionPlan(RetentionPolicy policy, Instant now, List<RetentionDecision> decisions) {
        this.policy = policy;
        this.now = now;
        this.decisions = List.copyOf(decisions);
        List<BackupRecord> keep = new ArrayList<>();
        List<BackupRecord> delete = new ArrayList<>();
        for (RetentionDecision d : decisions) {
            (d.keep() ? keep : delete).add(d.record());
        }
        this.toKeep = Collections.unmodifiableList(keep);
        this.toDelete = Collections.unmodifiableList(delete);
        this.allowedDeletes = (int) Math.floor(policy.maxDeleteFraction() * decisions.size() + 1e-9);
    }

    /**
     * Plans retention for a repository's backups. Pure: nothing is deleted.
     *
     * @param policy  the rules; not null
     * @param records every backup in the repository, verified or not, in any order; ids unique
     * @param now     the planning time (keep-within counts back from it); not null
     * @param force   true to return a plan that deletes more than the policy's delete limit
     * @return the plan, decisions newest first
     * @throws RetentionLimitExceededException when the plan deletes more than the limit and
     *                                         {@code force} is false
     * @throws IllegalArgumentException        when two records share an id
     * @throws NullPointerException            when an argument or a record is null
     */
    public static RetentionPlan plan(RetentionPolicy policy, List<BackupRecord> records, Instant now, boolean force) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(records, "records");
        Objects.requireNonNull(now, "now");
        List<BackupRecord> sorted = new ArrayList<>(records.size());
        Set<String> ids = new HashSet<>();
        for (BackupRecord r : records) {
            Objects.requireNonNull(r, "record");
            if (!ids.add(r.id())) {
                throw new IllegalArgumentException("records must have unique ids: '" + r.id() + "' appears twice");
            }
            sorted.add(r);
        }
        sorted.sort(NEWEST_FIRST);

        List<List<String>> reasons = new ArrayList<>(sorted.size());
        List<Integer> verified = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            reasons.add(new ArrayList<>(2));
            if (sorted.get(i).verified()) {
                verified.add(i);
            }
        }
        String within = policy.keepWithin().map(w -> "within " + DurationText.format(w)).orElse(null);
        Instant cutoff = policy.keepWithin().map(now::minus).orElse(null);

        if (!verified.isEmpty()) {
            reasons.get(verified.get(0)).add("newest verified backup");
            for (int k = 0; k < Math.min(policy.keepLast(), verified.size()); k++) {
                reasons.get(verified.get(k)).add("last " + policy.keepLast() + " verified (#" + (k + 1) + ")");
            }
            if (cutoff != null) {
                for (int i : verified) {
                    if (!sorted.get(i).createdAt().isBefore(cutoff)) {
                        reasons.get(i).add(within);
                    }
                }
            }
            ZonedBuckets buckets = new ZonedBuckets(policy);
            keepBuckets(sorted, verified, reasons, policy.keepHourly(), buckets::hourly);
            keepBuckets(sorted, verified, reasons, policy.keepDaily(), buckets::daily);
            keepBuckets(sorted, verified, reasons, policy.keepWeekly(), buckets::weekly);
            keepBuckets(sorted, verified, reasons, policy.keepMonthly(), buckets::monthly);
            keepBuckets(sorted, verified, reasons, policy.keepYearly(), buckets::yearly);
        }

        int newestVerified = verified.isEmpty() ? sorted.size() : verified.get(0);
        List<RetentionDecision> decisions = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            BackupRecord r = sorted.get(i);
            List<String> why = reasons.get(i);
            boolean keep = !why.isEmpty();
            if (!r.verified()) {
                if (verified.isEmpty()) {
                    why.add("unverified; kept because no backup is verified yet");
                    keep = true;
                } else if (i < newestVerified) {
                    why.add("unverified, newer than the newest verified backup (in progress or awaiting verification)");
                    keep = true;
                } else if (cutoff != null && !r.createdAt().isBefore(cutoff)) {
                    why.add("unverified, " + within + " (may still be verified)");
                    keep = true;
                } else {
                    why.add("unverified, older than the newest verified backup"
                            + (within == null ? "" : " and not " + within));
                }
            } else if (!keep) {
                why.add("verified, but no keep rule applies");
            }
            decisions.add(new RetentionDecision(r, keep ? RetentionDecision.Action.KEEP : RetentionDecision.Action.DELETE, why));
        }

        RetentionPlan plan = new RetentionPlan(policy, now, decisions);
        if (plan.exceedsDeleteLimit() && !force) {
            throw new RetentionLimitExceededException(plan, plan.allowedDeletes);
        }
        return plan;
    }

    private static void keepBuckets(List<BackupRecord> sorted, List<Integer> verified, List<List<String>> reasons,
                                    int count, Function<Instant, String> bucketOf) {
        // A set rather than "differs from the previous bucket": in zones whose clocks fall back
        // across midnight a local date can repeat after a later one, and must not count twice.
        Set<String> seen = new HashSet<>();
        for (int i : verified) {
            if (seen.size() >= count) {
                return;
            }
            String bucket = bucketOf.apply(sorted.get(i).createdAt());
            if (seen.add(bucket)) {
                reasons.get(i).add(bucket);
            }
        }
    }

    /** The policy this plan applied. */
    public RetentionPolicy policy() {
        return policy;
    }

    /** The planning time the plan was made for. */
    public Instant now() {
        return now;
    }

    /** One decision per backup, newest first (by creation time, then id). Unmodifiable. */
    public List<RetentionDecision> decisions() {
        return decisions;
    }

    /** The backups to keep, newest first. Unmodifiable. */
    public List<BackupRecord> toKeep() {
        return toKeep;
    }

    /** The backups to delete, newest first; delete them to apply the plan. Unmodifiable. */
    public List<BackupRecord> toDelete() {
        return toDelete;
    }

    /**
     * Whether this plan deletes more than the policy's {@link RetentionPolicy#maxDeleteFraction()}
     * allows; only a forced plan can.
     */
    public boolean exceedsDeleteLimit() {
        return toDelete.size() > allowedDeletes;
    }

    /**
     * The plan as text for a dry run or a log: a summary line, then one line per backup, newest
     * first: action, creation time in the policy's zone, id and reasons.
     */
    public String describe() {
        StringBuilder out = new StringBuilder(64 + 96 * decisions.size());
        out.append(String.format(Locale.ROOT, "retention plan at %s (%s): keep %d, delete %d of %d backups%s%n",
                now, policy.toOptions(), toKeep.size(), toDelete.size(), decisions.size(),
                exceedsDeleteLimit() ? " (over the delete limit, forced)" : ""));
        for (RetentionDecision d : decisions) {
            out.append(String.format(Locale.ROOT, "%-6s %s  %s  %s%n", d.action(),
                    d.record().createdAt().atZone(policy.zone()).toOffsetDateTime(), d.record().id(), d.reasonText()));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "RetentionPlan{keep=" + toKeep.size() + ", delete=" + toDelete.size() + ", now=" + now + '}';
    }

    /** Bucket labels of instants in the policy's zone; each label is unique to its bucket. */
    private static final class ZonedBuckets {
        private final RetentionPolicy policy;

        ZonedBuckets(RetentionPolicy policy) {
            this.policy = policy;
        }

        private ZonedDateTime local(Instant t) {
            return t.atZone(policy.zone());
        }

        String hourly(Instant t) {
            return "hourly " + local(t).truncatedTo(ChronoUnit.HOURS).toOffsetDateTime();
        }

        String daily(Instant t) {
            return "daily " + local(t).toLocalDate();
        }

        String weekly(Instant t) {
            ZonedDateTime z = local(t);
            return String.format(Locale.ROOT, "weekly %d-W%02d",
                    z.get(IsoFields.WEEK_BASED_YEAR), z.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        }

        String monthly(Instant t) {
            return "monthly " + YearMonth.from(local(t));
        }

        String yearly(Instant t) {
            return "yearly " + Year.from(local(t));
        }
    }
}
