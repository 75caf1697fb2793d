package dev.edgeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordFileTest {
    private static final int ITERATIONS = 50_000;

    @Test
    void theRightPasswordPasses_aWrongOneOrAnUnknownUserFails() throws Exception {
        PasswordFile file = PasswordFile.parse("test", List.of("esp32:" + PasswordFile.hash(bytes("secret"), ITERATIONS)));
        assertThat(file.verify("esp32", bytes("secret"))).isTrue();
        assertThat(file.verify("esp32", bytes("guess"))).isFalse();
        assertThat(file.verify("nobody", bytes("secret"))).isFalse();
    }

    /**
     * An unknown user name costs the same slow hash as a wrong password (before, it was refused at once, so user
     * names could be told apart by time). Compared by the fastest of several runs, with a wide margin: the point is
     * that the hash is computed at all (milliseconds against microseconds).
     */
    @Test
    void anUnknownUser_takesAsLongAsAWrongPassword() throws Exception {
        PasswordFile file = PasswordFile.parse("test", List.of("esp32:" + PasswordFile.hash(bytes("secret"), ITERATIONS)));
        long wrongPassword = fastest(() -> file.verify("esp32", bytes("guess")));
        long unknownUser = fastest(() -> file.verify("nobody", bytes("guess")));
        System.out.printf("verify: wrong password %.1f ms, unknown user %.1f ms (fastest of 5)%n", wrongPassword / 1e6,
                unknownUser / 1e6);
        assertThat(unknownUser).isGreaterThan(wrongPassword / 3);
    }

    private static long fastest(Runnable check) {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            check.run();
            best = Math.min(best, System.nanoTime() - start);
        }
        return best;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
