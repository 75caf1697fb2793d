package dev.edgeline.appliance;

import dev.edgeline.config.PasswordFile;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code bin/edge passwd USER [--iterations N]}: prints one line of the broker's password file,
 * {@code USER:$7$<iterations>$<salt>$<PBKDF2-HMAC-SHA512>} (Mosquitto's format; {@code mosquitto_passwd} writes the
 * same). The password is read from the terminal without echo, or as the first line of standard input when that is
 * not a terminal (for scripts and Ansible); it is never printed or logged.
 */
final class PasswdCommand {
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@-]{1,128}");
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    PasswdCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("iterations"));
        if (parsed.positional().size() != 1) {
            throw new Arguments.UsageException("expected exactly one user name");
        }
        String user = parsed.positional().getFirst();
        if (!USER.matcher(user).matches()) {
            throw new Arguments.UsageException("'" + user + "' is not a valid user name (letters, digits, '.', '_', "
                    + "'@', '-'; at most 128)");
        }
        int iterations = PasswordFile.DEFAULT_ITERATIONS;
        if (parsed.option("iterations").isPresent()) {
            try {
                iterations = Integer.parseInt(parsed.option("iterations").get());
            } catch (NumberFormatException e) {
                throw new Arguments.UsageException("--iterations '" + parsed.option("iterations").get()
                        + "' is not a number");
            }
            if (iterations < PasswordFile.MIN_ITERATIONS) {
                throw new Arguments.UsageException("--iterations " + iterations + " is below the broker's minimum "
                        + PasswordFile.MIN_ITERATIONS);
            }
        }
        byte[] password;
        try {
            password = readPassword();
        } catch (IOException e) {
            err.println("edge passwd: cannot read the password: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        if (password.length == 0) {
            err.println("edge passwd: the password is empty");
            return ExitCodes.INVALID_INPUT;
        }
        out.println(user + ":" + PasswordFile.hash(password, iterations));
        Arrays.fill(password, (byte) 0);
        return ExitCodes.OK;
    }

    private byte[] readPassword() throws IOException {
        Console console = System.console();
        if (console != null && in == System.in && console.isTerminal()) {
            char[] first = console.readPassword("password: ");
            char[] second = console.readPassword("again: ");
            if (first == null || second == null || !Arrays.equals(first, second)) {
                throw new IOException("the two passwords differ");
            }
            return new String(first).getBytes(StandardCharsets.UTF_8);
        }
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        return line == null ? new byte[0] : line.getBytes(StandardCharsets.UTF_8);
    }
}
