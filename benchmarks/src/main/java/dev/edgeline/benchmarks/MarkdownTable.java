package dev.edgeline.benchmarks;

/** The result tables the comparisons print, in Markdown (pasted as they are into benchmarks/README.md). */
final class MarkdownTable {
    private MarkdownTable() {}

    /** Prints a table's header row and its separator row. */
    static void header(String... columns) {
        System.out.println("| " + String.join(" | ", columns) + " |");
        System.out.println("|" + "---|".repeat(columns.length));
    }
}
