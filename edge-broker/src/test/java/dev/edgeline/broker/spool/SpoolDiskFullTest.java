package dev.edgeline.broker.spool;

import static dev.edgeline.broker.spool.SpoolFixtures.LANE;
import static dev.edgeline.broker.spool.SpoolFixtures.open;
import static dev.edgeline.broker.spool.SpoolFixtures.readAll;
import static dev.edgeline.broker.spool.SpoolFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edgeline.config.SpoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: the spool lives on a 1 MiB tmpfs mounted for the test (needs root, as on the CI machine; the
 * test is skipped, saying why, where mounting is not allowed). Appends fail cleanly, nothing already acknowledged is
 * lost or corrupted, and the spool accepts appends again once space returns.
 */
class SpoolDiskFullTest {
    @TempDir
    Path temp;
    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        mountPoint = Files.createDirectory(temp.resolve("mnt"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.toString())
                .redirectErrorStream(true).start();
        boolean done = mount.waitFor(10, TimeUnit.SECONDS);
        String output = new String(mount.getInputStream().readAllBytes());
        mounted = done && mount.exitValue() == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root): " + output.trim());
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            Process umount = new ProcessBuilder("umount", mountPoint.toString()).redirectErrorStream(true).start();
            assertThat(umount.waitFor(10, TimeUnit.SECONDS) && umount.exitValue() == 0)
                    .as("umount: " + new String(umount.getInputStream().readAllBytes())).isTrue();
        }
    }

    @Test
    void diskFull_appendsFailCleanly_acknowledgedRecordsSurvive_andTheSpoolRecoversWhenSpaceReturns()
            throws Exception {
        Path spoolDir = mountPoint.resolve("spool");
        Path filler = mountPoint.resolve("filler");
        SpoolConfig config = SpoolConfig.singleLane(spoolDir, 64 << 10, 1L << 30);
        List<SpoolRecord> acknowledged = new ArrayList<>();
        int refusals = 0;
        try (Spool spool = open(config)) {
            Files.write(filler, new byte[600 << 10]); // leave a few hundred KiB
            for (int i = 0; i < 5_000; i++) {
                SpoolRecord r = record("s", 1, i, 200);
                try {
                    spool.append(LANE, r).join();
                    acknowledged.add(r);
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(SpoolException.class)
                            .hasMessageContaining("spool write failed");
                    refusals++;
                    break;
                }
            }
            assertThat(refusals).as("the disk filled up").isEqualTo(1);
            // Still full: appends keep failing cleanly, the process keeps running.
            int next = acknowledged.size();
            assertThat(spool.append(LANE, record("s", 1, next, 200))).failsWithin(java.time.Duration.ofSeconds(5));
            assertThat(spool.counters().refused()).isGreaterThanOrEqualTo(2);

            Files.delete(filler); // space returns
            assertThat(spool.append(LANE, record("s", 1, next, 200)).join()).isEqualTo(AppendOutcome.APPENDED);
            acknowledged.add(record("s", 1, next, 200));
            assertThat(readAll(spool, "check")).isEqualTo(acknowledged);
        }
        try (Spool reopened = open(config)) {
            assertThat(readAll(reopened, "after-reopen")).as("nothing corrupt after reopen").isEqualTo(acknowledged);
        }
    }

}
