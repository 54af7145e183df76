package io.dockline.launcher;

import io.dockline.config.NodeConfig;
import io.dockline.config.NodeConfig.Setting;
import io.dockline.network.NetworkSpec;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses {@code --name value} / {@code --name=value} options and merges them with the conf file and environment. */
final class CommandLine {
  /** A wrong command line or conf file: its message is the one line the user sees. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  final boolean help;
  final NodeConfig config;

  private CommandLine(boolean help, NodeConfig config) {
    this.help = help;
    this.config = config;
  }

  static CommandLine parse(String[] args, Map<String, String> env) throws UsageException {
    Map<String, String> cli = new LinkedHashMap<>();
    String confFile = env.get("DOCKLINE_CONF");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) return new CommandLine(true, null);
      if (!a.startsWith("--")) throw new UsageException("unexpected argument '" + a + "' (see --help)");
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) throw new UsageException("option --" + name + " needs a value (see --help)");
        value = args[++i];
      }
      if (name.equals("conf")) {
        confFile = value;
      } else if (Setting.byKey(name) == null) {
        throw new UsageException("unknown option --" + name + " (see --help)");
      } else {
        cli.put(name, value);
      }
    }
    Map<String, String> conf = confFile == null ? Map.of() : readConf(Path.of(confFile));
    try {
      NodeConfig config = NodeConfig.resolve(conf, NodeConfig.layerOfEnv(env), cli);
      // a wrong network is a wrong setting: said before anything starts
      if (config.has(NodeConfig.Role.NETWORK)) {
        try {
          NetworkSpec.parseAll(config.networks());
        } catch (IllegalArgumentException e) {
          throw new UsageException("invalid --networks: " + e.getMessage());
        }
      }
      return new CommandLine(false, config);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static Map<String, String> readConf(Path file) throws UsageException {
    try {
      Map<String, String> layer = NodeConfig.layerOf(new JsonObject(Files.readString(file)));
      for (String key : layer.keySet()) {
        if (Setting.byKey(key) == null) throw new UsageException("conf file " + file + ": unknown setting '" + key + "'");
      }
      return layer;
    } catch (IOException e) {
      throw new UsageException("cannot read conf file " + file + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (DecodeException e) {
      throw new UsageException("conf file " + file + " is not a JSON object: " + e.getMessage().split("\n")[0]);
    }
  }

  static String usage() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: java -jar dockline.jar [--conf FILE] [--option value ...]\n\n");
    sb.append("Starts a dockline node. With no options: an all-in-one node (agent, router, collector, gateway)\n");
    sb.append("reading the local Docker daemon, storing under ./data, HTTP on 127.0.0.1:8080.\n\n");
    sb.append("Options (each also a conf-file key and an environment variable):\n");
    sb.append(String.format("  %-24s %s%n", "--conf FILE", "JSON conf file of settings below (env DOCKLINE_CONF)"));
    for (Setting s : Setting.values()) {
      String dflt = s.defaultValue() == null ? "" : " [" + s.defaultValue() + "]";
      sb.append(String.format("  %-24s %s%s%n", "--" + s.key() + " V", s.help(), dflt));
      sb.append(String.format("  %-24s   env %s%n", "", s.envName()));
    }
    sb.append(String.format("  %-24s %s%n", "--help", "this text"));
    return sb.toString();
  }
}
