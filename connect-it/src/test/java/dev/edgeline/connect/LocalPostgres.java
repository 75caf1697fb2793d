package dev.edgeline.connect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server from Debian's package ({@code postgresql}, under {@code /usr/lib/postgresql/N/bin}):
 * its own data directory, {@code 127.0.0.1} on a given port, trust authentication for user {@code postgres}, no
 * fsync (a test database). As root (CI) the server runs as the {@code postgres} user the package creates, because
 * PostgreSQL refuses to run as root. Stopped with {@link #close()} (immediate shutdown).
 */
final class LocalPostgres implements AutoCloseable {
    private final Path home;
    private final Path bin;
    private final Path data;
    private final int port;
    private final boolean asPostgresUser;

    private LocalPostgres(Path bin, Path data, int port, boolean asPostgresUser) {
        this.home = data.getParent();
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /**
     * Initialises and starts a server in a new directory under {@code /tmp} (which the {@code postgres} user can
     * reach, unlike a test's private temporary directory); {@link #close()} deletes it.
     */
    static LocalPostgres start(int port) throws IOException, InterruptedException {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path home = Files.createTempDirectory(Path.of("/tmp"), "edge-postgres-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path data = home.resolve("data");
        Files.createDirectory(data, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        LocalPostgres server = new LocalPostgres(bin, data, port, root);
        if (root) {
            run(List.of("chown", "-R", "postgres:postgres", home.toString()));
        }
        server.runAsServerUser(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust",
                "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"));
        server.runAsServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60",
                "-l", home.resolve("server.log").toString(), "-o", "-p " + port + " -k " + home
                        + " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start"));
        return server;
    }

    /** The newest PostgreSQL of Debian's package, or an error that says how to get one. */
    static Path binaries() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                List<Path> found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .sorted().toList();
                if (!found.isEmpty()) {
                    return found.getLast();
                }
            }
        }
        throw new IOException("no PostgreSQL server under /usr/lib/postgresql: apt-get install postgresql"
                + " (bin/test installs it as root)");
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "");
    }

    private void runAsServerUser(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            runAsServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w",
                    "stop"));
        } finally {
            run(List.of("rm", "-rf", home.toString()));
        }
    }
}
