package dev.edgeline.benchmarks;

import java.util.List;
import java.util.Locale;

/** Median, minimum and maximum of repeated measurements: the figures the harnesses print (never a best run). */
final class Stats {
    private Stats() {}

    /** The median (the mean of the middle two for an even count); NaN for none. */
    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** As above, of an array (left as it is). */
    static double median(double... values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** Per repetition, {@code numerators[i] / denominators[i]} (as many as the shorter list has). */
    static List<Double> ratios(List<Double> numerators, List<Double> denominators) {
        List<Double> ratios = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(numerators.size(), denominators.size()); i++) {
            ratios.add(numerators.get(i) / denominators.get(i));
        }
        return ratios;
    }

    /** {@code median (min-max)}, each number in {@code format} (such as {@code %,.0f}). */
    static String spread(List<Double> values, String format) {
        return String.format(Locale.ROOT, format + " (" + format + "-" + format + ")", median(values), min(values),
                max(values));
    }
}
