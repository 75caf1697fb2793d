package dev.edgeline.distribution;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Builds the device releases, {@code edgeline-device-VERSION-linux-ARCH.tar.xz}, one per architecture:
 *
 * <pre>
 *   edgeline-VERSION/RELEASE        version=, arch=, java= (what Ansible and edge version read)
 *   edgeline-VERSION/jvm.options    the flags every service JVM needs (a java @argfile)
 *   edgeline-VERSION/lib/*.jar      the appliance and its runtime class path, natives for ARCH only, stored
 *   edgeline-VERSION/agent-lib/     links into lib/: the agent's smaller class path
 *   edgeline-VERSION/SHA256SUMS     of every file above (sha256sum -c)
 * </pre>
 *
 * Run by Maven in the distribution module's package phase, the architectures in parallel; prints each archive's
 * size.
 */
public final class ReleaseBuilder {
    private final String version;
    private final Instant time;
    private final List<String> jvmFlags;
    private final List<Path> jars;
    private final List<Path> agentJars;
    private final Path out;
    private final PrintStream log;

    /**
     * @param jars      the device's class path (the appliance's jar first)
     * @param agentJars the agent's, a subset of {@code jars}
     */
    ReleaseBuilder(String version, Instant time, List<String> jvmFlags, List<Path> jars, List<Path> agentJars,
                   Path out, PrintStream log) {
        if (!version.matches("[0-9A-Za-z][0-9A-Za-z.+_-]*")) {
            throw new IllegalArgumentException("release version '" + version + "' may hold only letters, digits and"
                    + " . + _ - (it names a directory on every device)");
        }
        this.version = version;
        this.time = time;
        this.jvmFlags = List.copyOf(jvmFlags);
        this.jars = List.copyOf(jars);
        this.agentJars = List.copyOf(agentJars);
        this.out = out;
        List<Path> names = jars.stream().map(Path::getFileName).toList();
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("two jars of the class path have the same file name: " + names);
        }
        for (Path jar : agentJars) {
            if (!names.contains(jar.getFileName())) {
                throw new IllegalArgumentException("the agent's " + jar + " is not on the device's class path");
            }
        }
        this.log = log;
    }

    public static void main(String[] args) throws Exception {
        String version = null;
        Instant time = null;
        List<String> flags = new ArrayList<>();
        Path applianceJar = null;
        Path classPath = null;
        Path agentClassPath = null;
        Path out = null;
        List<DevicePlatform> platforms = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--version" -> version = value;
                case "--timestamp" -> time = Instant.parse(value);
                case "--jvm-flags-file" -> flags.addAll(Files.readAllLines(Path.of(value)).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList());
                case "--appliance-jar" -> applianceJar = Path.of(value);
                case "--classpath" -> classPath = Path.of(value);
                case "--agent-classpath" -> agentClassPath = Path.of(value);
                case "--out" -> out = Path.of(value);
                case "--arch" -> platforms.add(DevicePlatform.named(value));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (version == null || time == null || applianceJar == null || classPath == null || agentClassPath == null
                || out == null || platforms.isEmpty()) {
            throw new IllegalArgumentException("usage: ReleaseBuilder --version V --timestamp T --jvm-flags-file F"
                    + " --appliance-jar JAR --classpath FILE --agent-classpath FILE --out DIR --arch A [--arch A]");
        }
        List<Path> jars = new ArrayList<>(List.of(applianceJar));
        jars.addAll(classPathFile(classPath));
        List<Path> agentJars = new ArrayList<>(List.of(applianceJar));
        agentJars.addAll(classPathFile(agentClassPath));
        ReleaseBuilder builder = new ReleaseBuilder(version, time, flags, jars, agentJars, out, System.out);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(platforms.size())) {
            List<java.util.concurrent.Future<Path>> builds = new ArrayList<>();
            for (DevicePlatform platform : platforms) {
                builds.add(pool.submit(() -> builder.build(platform)));
            }
            for (java.util.concurrent.Future<Path> build : builds) {
                try {
                    build.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
        // What Ansible installs unless told another version (edge_appliance_release_version).
        Files.writeString(out.resolve("RELEASE-VERSION"), version + "\n", StandardCharsets.UTF_8);
    }

    /** The archive's file name for one platform. */
    static String archiveName(String version, DevicePlatform platform) {
        return "edgeline-device-" + version + "-linux-" + platform.archName() + ".tar.xz";
    }

    Path build(DevicePlatform platform) throws IOException, NativeLibraries.UnknownPlatformException {
        String top = "edgeline-" + version;
        Path platformDirectory = out.resolve("release-" + platform.archName());
        Path staging = platformDirectory.resolve(top);
        deleteTree(platformDirectory);
        Files.createDirectories(staging.resolve("lib"));
        long bytesIn = 0;
        long bytesOut = 0;
        int dropped = 0;
        for (Path jar : jars) {
            JarTrimmer.Result result = JarTrimmer.copy(jar, staging.resolve("lib").resolve(jar.getFileName()), platform);
            bytesIn += result.bytesBefore();
            bytesOut += result.bytesAfter();
            dropped += result.dropped().size();
        }
        Files.writeString(staging.resolve("RELEASE"), "version=" + version + "\narch=" + platform.archName()
                + "\njava=" + Runtime.version().feature() + "\n", StandardCharsets.UTF_8);
        Files.writeString(staging.resolve("jvm.options"), String.join("\n", jvmFlags) + "\n", StandardCharsets.UTF_8);
        List<String> sums = new ArrayList<>();
        for (String name : Stream.concat(Stream.of("RELEASE", "jvm.options"),
                jars.stream().map(j -> "lib/" + j.getFileName())).toList()) {
            sums.add(sha256(staging.resolve(name)) + "  " + name);
        }
        Files.writeString(staging.resolve("SHA256SUMS"), String.join("\n", sums) + "\n", StandardCharsets.UTF_8);

        Path archive = out.resolve(archiveName(version, platform));
        try (ReleaseArchive tar = new ReleaseArchive(archive, time)) {
            tar.directory(top);
            for (String name : List.of("RELEASE", "jvm.options", "SHA256SUMS")) {
                tar.file(top + "/" + name, staging.resolve(name));
            }
            tar.directory(top + "/lib");
            for (Path jar : jars) {
                tar.file(top + "/lib/" + jar.getFileName(), staging.resolve("lib").resolve(jar.getFileName()));
            }
            tar.directory(top + "/agent-lib");
            for (Path jar : agentJars) {
                tar.symlink(top + "/agent-lib/" + jar.getFileName(), "../lib/" + jar.getFileName());
            }
        }
        log.printf(Locale.ROOT, "release %s: %s, %d jars (%d for the agent), installed %s (stored; the jars as"
                        + " Maven has them %s; %d other platforms' native libraries left out)%n",
                archive.getFileName(), megabytes(Files.size(archive)), jars.size(), agentJars.size(),
                megabytes(bytesOut), megabytes(bytesIn), dropped);
        return archive;
    }

    /** The jars of a class path file (dependency:build-classpath), in its order. */
    static List<Path> classPathFile(Path file) throws IOException {
        String content = Files.readString(file).trim();
        if (content.isEmpty()) {
            return List.of();
        }
        List<Path> jars = new ArrayList<>();
        for (String entry : content.split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry.trim());
            if (!Files.isRegularFile(jar)) {
                throw new IOException(file + " names " + jar + ", which is not a file");
            }
            jars.add(jar);
        }
        return jars;
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
