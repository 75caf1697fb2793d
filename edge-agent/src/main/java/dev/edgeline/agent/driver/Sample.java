package dev.edgeline.agent.driver;

/** One value read from a sensor, in its unit ("" when it has none). */
public record Sample(double value, String unit) {}
