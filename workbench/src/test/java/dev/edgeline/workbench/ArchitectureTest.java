package dev.edgeline.workbench;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The modules' main code stays layered: configuration at the bottom; the agent and the broker on it; the bridge on
 * the broker's spool; the appliance wiring them; the workbench on top. Nothing imports a layer above it, and no two
 * modules depend on each other; within a module, no two packages do (a package and its {@code internal} package
 * count as one). The workbench sees every module, so the test lives here.
 */
class ArchitectureTest {
    /** Main code only: test classes, and the test jars other modules share (appliance's ITs), left out. */
    private static final JavaClasses MAIN_CODE = new ClassFileImporter()
            .withImportOption(new ImportOption.DoNotIncludeTests())
            .withImportOption(location -> !location.contains("-tests.jar") && !location.contains("/test-classes/"))
            .importPackages("dev.edgeline");

    /**
     * A package together with its {@code internal} package is one unit (the internal one implements what the other
     * exposes and uses its types); between units there must be no cycle.
     */
    private static final SliceAssignment PACKAGES_WITH_THEIR_INTERNALS = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            return name.startsWith("dev.edgeline.")
                    ? SliceIdentifier.of(name.replaceAll("\\.internal(\\..*)?$", "")) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "packages, each with its internal package";
        }
    };

    @Test
    void modulesAreLayered() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("config").definedBy("dev.edgeline.config..", "dev.edgeline.time..")
            .layer("agent").definedBy("dev.edgeline.agent..")
            .layer("broker").definedBy("dev.edgeline.broker..")
            .layer("bridge").definedBy("dev.edgeline.bridge..")
            .layer("kafka").definedBy("dev.edgeline.kafka..")
            .layer("appliance").definedBy("dev.edgeline.appliance..")
            .layer("workbench").definedBy("dev.edgeline.workbench..")
            .whereLayer("workbench").mayNotBeAccessedByAnyLayer()
            .whereLayer("appliance").mayOnlyBeAccessedByLayers("workbench")
            .whereLayer("kafka").mayOnlyBeAccessedByLayers("workbench")
            .whereLayer("bridge").mayOnlyBeAccessedByLayers("appliance", "workbench")
            .whereLayer("agent").mayOnlyBeAccessedByLayers("appliance", "workbench")
            .whereLayer("broker").mayOnlyBeAccessedByLayers("bridge", "appliance", "workbench")
            .whereLayer("config").mayOnlyBeAccessedByLayers("agent", "broker", "bridge", "appliance", "workbench")
                .check(MAIN_CODE);
    }

    @Test
    void modulesHaveNoCycles() {
        slices().matching("dev.edgeline.(*)..").should().beFreeOfCycles().check(MAIN_CODE);
    }

    @Test
    void packagesHaveNoCycles() {
        slices().assignedFrom(PACKAGES_WITH_THEIR_INTERNALS).should().beFreeOfCycles().check(MAIN_CODE);
    }
}
