package dev.edgeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyTemplateTest {
    @Test
    void rendersPlaceholdersAndLiterals() {
        assertThat(KeyTemplate.parse(KeyTemplate.DEFAULT).render("pi-1", "door", "edge/pi-1/door")).isEqualTo("pi-1/door");
        assertThat(KeyTemplate.parse("site-a:{topic}").render("pi-1", "door", "lan/x")).isEqualTo("site-a:lan/x");
    }

    @Test
    void problems_areNamed() {
        assertThat(KeyTemplate.problemWith("{device}/{sensor}")).hasValueSatisfying(
                p -> assertThat(p).contains("unknown placeholder {sensor}"));
        assertThat(KeyTemplate.problemWith("{device")).hasValueSatisfying(p -> assertThat(p).contains("unclosed"));
        assertThat(KeyTemplate.problemWith("device}")).hasValueSatisfying(p -> assertThat(p).contains("without"));
        assertThat(KeyTemplate.problemWith("{device}-{stream}")).isEmpty();
    }
}
