package dev.edgeline.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The broker's password file: one {@code user:hash} line per client, in Mosquitto's format, so that Debian's
 * {@code mosquitto_passwd} and {@code bin/edge passwd} both write it. The hash is
 * {@code $7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512>} (the JDK's PBKDF2; a salted slow hash). Plaintext
 * passwords and fast hashes (Mosquitto's {@code $6$}, one SHA-512 round) are refused, and so are fewer than
 * {@value #MIN_ITERATIONS} iterations. Blank lines and {@code #} comments are ignored. Hashes are never logged or put
 * into error messages. Immutable and thread-safe.
 */
public final class PasswordFile {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Fewest PBKDF2 iterations accepted (Mosquitto's own default, 101, is far too fast to guess against). */
    public static final int MIN_ITERATIONS = 10_000;
    /** Iterations {@link #hash} uses (OWASP's figure for PBKDF2-HMAC-SHA512). */
    public static final int DEFAULT_ITERATIONS = 210_000;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
    private static final int SALT_BYTES = 12;
    private static final int HASH_BYTES = 64;
    private final Map<String, Entry> entries;

    /**
     * Checked instead of an unknown user's entry, with as many iterations as the slowest real one, so that a wrong
     * user name takes as long to refuse as a wrong password: the time does not tell which user names exist.
     */
    private final Entry decoy;

    private PasswordFile(Map<String, Entry> entries) {
        this.entries = entries;
        int iterations = entries.values().stream().mapToInt(Entry::iterations).max().orElse(DEFAULT_ITERATIONS);
        byte[] salt = new byte[SALT_BYTES];
        byte[] hash = new byte[HASH_BYTES];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(hash);
        this.decoy = new Entry(iterations, salt, hash);
    }

    private record Entry(int iterations, byte[] salt, byte[] hash) {}

    /** Why a password file cannot be used: each problem names the file and line, never the hash. */
    public static final class InvalidPasswordFileException extends Exception {
        private final List<String> problems;

        InvalidPasswordFileException(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** Reads and checks every line of {@code file}. */
    public static PasswordFile read(Path file) throws InvalidPasswordFileException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidPasswordFileException(List.of("cannot read " + file + ": " + e.getMessage()));
        }
        return parse(file.toString(), lines);
    }

    static PasswordFile parse(String name, List<String> lines) throws InvalidPasswordFileException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String where = name + " line " + (i + 1);
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                problems.add(where + ": not 'user:hash'");
                continue;
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            if (!USER.matcher(user).matches()) {
                problems.add(where + ": '" + user + "' is not a valid user name (letters, digits, '.', '_', '@', '-')");
                continue;
            }
            Optional<String> problem = problemWith(hash);
            if (problem.isPresent()) {
                problems.add(where + " (user " + user + "): " + problem.get());
                continue;
            }
            String[] parts = hash.split("\\$");
            Entry entry = new Entry(Integer.parseInt(parts[2]), Base64.getDecoder().decode(parts[3]),
                    Base64.getDecoder().decode(parts[4]));
            if (entries.putIfAbsent(user, entry) != null) {
                problems.add(where + ": user " + user + " is listed twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidPasswordFileException(problems);
        }
        return new PasswordFile(Map.copyOf(entries));
    }

    private static Optional<String> problemWith(String hash) {
        if (hash.startsWith("$6$")) {
            return Optional.of("a $6$ hash (one round of SHA-512) is too fast to be safe; write it again with "
                    + "'mosquitto_passwd -I " + DEFAULT_ITERATIONS + "' or 'bin/edge passwd'");
        }
        if (!hash.startsWith("$7$")) {
            return Optional.of("not a $7$ PBKDF2-SHA512 hash (plaintext passwords are not accepted); write it with "
                    + "'mosquitto_passwd -I " + DEFAULT_ITERATIONS + "' or 'bin/edge passwd'");
        }
        String[] parts = hash.split("\\$");
        if (parts.length != 5) {
            return Optional.of("a $7$ hash has the form $7$<iterations>$<salt>$<hash>");
        }
        try {
            int iterations = Integer.parseInt(parts[2]);
            if (iterations < MIN_ITERATIONS) {
                return Optional.of(iterations + " PBKDF2 iterations are too few (at least " + MIN_ITERATIONS
                        + "); write it again with 'mosquitto_passwd -I " + DEFAULT_ITERATIONS + "' or 'bin/edge passwd'");
            }
            byte[] salt = Base64.getDecoder().decode(parts[3]);
            byte[] digest = Base64.getDecoder().decode(parts[4]);
            if (salt.length < 8 || digest.length != HASH_BYTES) {
                return Optional.of("the salt must be at least 8 bytes and the hash 64 bytes");
            }
        } catch (IllegalArgumentException e) {
            return Optional.of("the iterations, salt or hash field is malformed");
        }
        return Optional.empty();
    }

    /** The users in the file, in file order. */
    public List<String> users() {
        return List.copyOf(entries.keySet());
    }

    public boolean hasUser(String user) {
        return entries.containsKey(user);
    }

    /**
     * Whether {@code password} is {@code user}'s (constant-time comparison; slow by design, and as slow for a user
     * that does not exist).
     */
    public boolean verify(String user, byte[] password) {
        Entry entry = entries.get(user);
        Entry checked = entry == null ? decoy : entry;
        boolean matches = MessageDigest.isEqual(pbkdf2(password, checked.salt(), checked.iterations()), checked.hash());
        return matches && entry != null;
    }

    /** A {@code $7$} hash of {@code password} with a fresh random salt. */
    public static String hash(byte[] password, int iterations) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return "$7$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(pbkdf2(password, salt, iterations));
    }

    private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations) {
        char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA512 is missing from this JDK", e);
        } finally {
            spec.clearPassword();
            java.util.Arrays.fill(chars, '\0');
        }
    }
}
