package io.dockline.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeJvmTest {
  private static final Path JAVA_HOME = Path.of("/opt/jdk");
  private static final Path JAR = Path.of("/srv/dockline.jar");

  @Test
  void withoutAHeapBoundTheNodeGetsAJvmSizedForItWithTheOperatorsOtherFlags() {
    List<String> cmd = NodeJvm.ownJvmCommand(List.of("-Dfoo=bar", "-agentlib:jdwp=transport=dt_socket"),
        JAVA_HOME, JAR, 42, new String[] {"--roles", "agent"});
    List<String> want = new ArrayList<>(List.of("/opt/jdk/bin/java"));
    want.addAll(NodeJvm.flags(Runtime.version()));
    want.addAll(List.of("-Dfoo=bar", "-Ddockline.parent-pid=42", "-jar", "/srv/dockline.jar", "--roles", "agent"));
    assertEquals(want, cmd);
  }

  @Test
  void theNativeHeapIsTrimmedOnTheJdksThatCan() {
    String trim = "-XX:TrimNativeHeapInterval=10000";
    String unlock = "-XX:+UnlockExperimentalVMOptions";
    for (String v : List.of("17.0.8", "18.0.2", "20.0.1", "21")) {
      assertEquals(NodeJvm.FLAGS, NodeJvm.flags(Runtime.Version.parse(v)), v);
    }
    for (String v : List.of("17.0.9", "17.0.10", "21.0.1", "21.0.2", "22")) {
      assertEquals(plus(unlock, trim), NodeJvm.flags(Runtime.Version.parse(v)), v);
    }
    for (String v : List.of("17.0.11", "17.0.15", "21.0.3", "22.0.1", "23", "25.0.1")) {
      assertEquals(plus(trim), NodeJvm.flags(Runtime.Version.parse(v)), v);
    }
  }

  private static List<String> plus(String... more) {
    List<String> l = new ArrayList<>(NodeJvm.FLAGS);
    l.addAll(List.of(more));
    return l;
  }

  @Test
  void anyHeapBoundIsTheOperatorsChoiceAndTheNodeRunsInThatJvm() {
    for (String bound : List.of("-Xmx192m", "-XX:MaxHeapSize=200000000", "-XX:MaxRAMPercentage=5", "-XX:MaxRAM=1g")) {
      assertNull(NodeJvm.ownJvmCommand(List.of(bound), JAVA_HOME, JAR, 42, new String[0]), bound);
    }
  }

  @Test
  void codeNotRunFromAJarRunsInThisJvm() {
    assertNull(NodeJvm.ownJvmCommand(List.of(), JAVA_HOME, null, 42, new String[0]));
    assertNull(NodeJvm.ownJvmCommand(List.of(), JAVA_HOME, Path.of("/src/target/classes"), 42, new String[0]));
  }
}
