package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgumentsTest {
    @Test
    void aPortIsANumberInItsRange_absentIsEmpty() throws Exception {
        assertThat(parse("--port", "8080").port("port", 0)).contains(8080);
        assertThat(parse("--port", "0").port("port", 0)).contains(0);
        assertThat(parse().port("port", 1)).isEmpty();
        assertThatThrownBy(() -> parse("--port", "abc").port("port", 0))
                .isInstanceOf(Arguments.UsageException.class).hasMessage("--port 'abc' is not a number");
        assertThatThrownBy(() -> parse("--port", "0").port("port", 1))
                .isInstanceOf(Arguments.UsageException.class).hasMessage("--port 0 is out of range 1..65535");
        assertThatThrownBy(() -> parse("--port", "65536").port("port", 0))
                .isInstanceOf(Arguments.UsageException.class).hasMessage("--port 65536 is out of range 0..65535");
    }

    private static Arguments parse(String... args) throws Arguments.UsageException {
        return Arguments.parse(List.of(args), Set.of("port"));
    }
}
