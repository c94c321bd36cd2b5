package leasekv.bench.peers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a reader needs to weigh the figures: cores, memory, kernel, versions, the load when the run began. */
final class MachineInfo {
  private MachineInfo() {}

  static List<String> describe(Path dataDir, int slot) {
    List<String> lines = new ArrayList<>();
    lines.add("cores: " + Runtime.getRuntime().availableProcessors());
    lines.add("load average at start: " + first("/proc/loadavg"));
    lines.add("memory: " + grep("/proc/meminfo", "MemTotal"));
    lines.add("kernel: " + command("uname", "-r"));
    lines.add("cpu: " + grep("/proc/cpuinfo", "model name"));
    lines.add("java (nodes): " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    lines.add("etcd: " + command("etcd", "--version").lines().findFirst().orElse("?"));
    lines.add("redis: " + command("redis-server", "--version"));
    lines.add("data dir: " + dataDir + " (" + command("df", "--output=source,fstype", dataDir.getParent().toString())
        .lines().skip(1).findFirst().orElse("?").trim() + ")");
    lines.add("slot: " + slot);
    return lines;
  }

  static String loadAverage() {
    return first("/proc/loadavg");
  }

  private static String first(String file) {
    try {
      return Files.readAllLines(Path.of(file)).get(0).trim();
    } catch (Exception e) {
      return "?";
    }
  }

  private static String grep(String file, String prefix) {
    try {
      return Files.readAllLines(Path.of(file)).stream().filter(l -> l.startsWith(prefix)).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
    } catch (Exception e) {
      return "?";
    }
  }

  private static String command(String... argv) {
    try {
      return NetnsCluster.run(List.of(argv), false).trim();
    } catch (Exception e) {
      return "?";
    }
  }
}
