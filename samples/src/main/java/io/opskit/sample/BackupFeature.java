package io.opskit.sample;

/**
 * Wires scheduled backups, POST /admin/backup, GET /admin/backups and the freshness check into the sample.
 */
final class BackupFeature implements SampleFeature {

    @Override
    public void install(SampleHost host) throws Exception {
        // Wired by the module's own work; the sample starts without it until then.
    }
}
