package dev.edgeline.appliance;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code edge --version}: the release, and the Java and machine it runs on. */
final class VersionInfo {
    private VersionInfo() {}

    /** The version this build was made from ({@code version.properties}, filled in by Maven). */
    static String version() {
        try (InputStream in = VersionInfo.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown (no version.properties on the class path)";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** Two lines: the release, then the Java runtime with its vendor, and the OS and architecture. */
    static String describe() {
        return "edgeline " + version() + "\n"
                + "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ", "
                + System.getProperty("java.home", "?") + ") on " + System.getProperty("os.name", "?") + " "
                + System.getProperty("os.arch", "?");
    }
}
