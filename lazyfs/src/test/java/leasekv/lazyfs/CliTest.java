package leasekv.lazyfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code lazyfs mount|ctl|umount} as separate processes, the way the harness drives them. */
class CliTest {
    private Path root;
    private Path backing;
    private Path mountPoint;
    private Path socket;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void directories() throws IOException {
        root = Files.createTempDirectory("lazyfs-cli-");
        backing = root.resolve("b");
        mountPoint = root.resolve("m");
        socket = root.resolve("ctl.sock");
    }

    @AfterEach
    void cleanUp() throws IOException, InterruptedException {
        for (Process p : processes) {
            if (p.isAlive()) {
                p.toHandle().destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (Unmounter.isMounted(mountPoint)) {
            Unmounter.unmount(mountPoint);
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Process lazyfs(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    private record Result(int status, String output) {
    }

    private Result run(String... args) throws IOException, InterruptedException {
        Process p = lazyfs(args);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), output);
    }

    private Process mount() throws IOException, InterruptedException {
        Process p = lazyfs("mount", "--backing", backing.toString(), "--mount", mountPoint.toString(),
                "--control", socket.toString());
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(socket)) {
                try {
                    if (CtlCommand.send(socket, "ping", 10).equals("ok pong")) {
                        return p;
                    }
                } catch (IOException notYet) {
                    // the socket file appears just before it accepts
                }
            }
            assertTrue(p.isAlive(), () -> "mount exited: " + output(p));
            Thread.sleep(50);
        }
        throw new AssertionError("mount not ready in 30 s");
    }

    private static String output(Process p) {
        try {
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void ctlLosesUnsyncedDataAndSigtermUnmountsAfterSyncing() throws Exception {
        FuseTestMount.assumeFuse();
        Process mount = mount();
        assertTrue(Unmounter.isMounted(mountPoint));
        FileOps.write(mountPoint.resolve("lost"), "never synced", false);
        Result lose = run("ctl", "--control", socket.toString(), "lose-unsynced");
        assertEquals(0, lose.status(), lose.output());
        assertTrue(lose.output().startsWith("ok lost_page_bytes=4096 lost_files=1 undone_ops=1"), lose.output());
        assertFalse(Files.exists(mountPoint.resolve("lost")));
        FileOps.write(mountPoint.resolve("kept"), "", true);
        FileOps.fsyncDirectory(mountPoint);
        FileOps.write(mountPoint.resolve("kept"), "torn or not", false);
        Result tear = run("ctl", "--control", socket.toString(), "lose-unsynced", "tear", "seed=3");
        assertEquals(0, tear.status(), tear.output());
        assertTrue(tear.output().startsWith("ok mode=tear seed=3 files=1"), tear.output());

        FileOps.write(mountPoint.resolve("kept"), "synced by the unmount", false);
        Result stats = run("ctl", "--control", socket.toString(), "stats");
        assertTrue(stats.output().contains(" pending_files=1 "), stats.output());
        mount.toHandle().destroy(); // SIGTERM
        assertTrue(mount.waitFor(30, TimeUnit.SECONDS), "SIGTERM did not end the mount");
        assertFalse(Unmounter.isMounted(mountPoint));
        assertFalse(Files.exists(socket), "the control socket is removed");
        assertEquals("synced by the unmount", FileOps.read(backing.resolve("kept")));
    }

    @Test
    void umountCleansUpAfterAKilledMountProcess() throws Exception {
        FuseTestMount.assumeFuse();
        Process mount = mount();
        mount.toHandle().destroyForcibly();
        assertTrue(mount.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Unmounter.isMounted(mountPoint), "kill -9 leaves a dead mount behind");
        Result again = run("mount", "--backing", backing.toString(), "--mount", mountPoint.toString(),
                "--control", socket.toString());
        assertEquals(1, again.status());
        assertTrue(again.output().contains("bin/lazyfs umount --mount " + mountPoint), again.output());
        Result umount = run("umount", "--mount", mountPoint.toString());
        assertEquals(0, umount.status(), umount.output());
        assertTrue(umount.output().startsWith("ok "), umount.output());
        assertFalse(Unmounter.isMounted(mountPoint));
        mount(); // the stale socket file of the killed process is replaced
        Result unmountLive = run("umount", "--mount", mountPoint.toString());
        assertEquals("ok unmounted " + mountPoint, unmountLive.output());
    }

    @Test
    void badInputGetsAClearError() throws Exception {
        Result noBacking = run("mount", "--mount", mountPoint.toString(), "--control", socket.toString());
        assertEquals(2, noBacking.status());
        assertTrue(noBacking.output().startsWith("error --backing is required"), noBacking.output());
        Result badModel = run("mount", "--backing", "b", "--mount", "m", "--control", "s",
                "--namespace-durability", "sometimes");
        assertEquals(2, badModel.status());
        assertTrue(badModel.output().contains("--namespace-durability must be any-fsync or dir-fsync"),
                badModel.output());
        Result unknownCommand = run("ctl", "--control", socket.toString(), "explode");
        assertEquals(1, unknownCommand.status());
        assertTrue(unknownCommand.output().startsWith("error want one command of lose-unsynced"), unknownCommand.output());
        Result stray = run("ctl", "--control", socket.toString(), "stats", "seed=1");
        assertTrue(stray.output().startsWith("error want one command"), stray.output());
        Result noServer = run("ctl", "--control", socket.toString(), "stats");
        assertEquals(1, noServer.status());
        assertTrue(noServer.output().startsWith("error cannot connect to control socket " + socket),
                noServer.output());
        Result notMounted = run("umount", "--mount", mountPoint.toString());
        assertEquals("ok not mounted " + mountPoint, notMounted.output());
    }
}
