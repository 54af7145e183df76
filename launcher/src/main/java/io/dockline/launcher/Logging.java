package io.dockline.launcher;

import io.dockline.config.Printable;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per message on stderr; the chatty libraries only say warnings. */
final class Logging {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  /** Held so the configured levels are not lost when the JDK collects an unreferenced logger. */
  private static final java.util.List<Logger> CONFIGURED = new java.util.ArrayList<>();

  private Logging() {}

  static void configure() {
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) root.removeHandler(h);
    ConsoleHandler console = new ConsoleHandler();
    console.setLevel(Level.ALL);
    console.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        String name = r.getLoggerName() == null ? "" : r.getLoggerName();
        String shortName = name.substring(name.lastIndexOf('.') + 1);
        StringBuilder sb = new StringBuilder().append(TIME.format(LocalDateTime.now())).append(' ')
            .append(r.getLevel().getName()).append(' ').append(shortName).append(": ")
            // one record, one line: a message quoting container output or a damaged file cannot forge more
            .append(Printable.escape(formatMessage(r)))
            .append(System.lineSeparator());
        if (r.getThrown() != null && Logger.getLogger(name).isLoggable(Level.FINE)) {
          StringWriter sw = new StringWriter();
          r.getThrown().printStackTrace(new PrintWriter(sw));
          sb.append(sw);
        }
        return sb.toString();
      }
    });
    root.addHandler(console);
    root.setLevel(Level.INFO);
    quiet("com.hazelcast");
    quiet("io.netty");
    quiet("com.github.dockerjava");
    quiet("io.vertx.core.impl");
    // the Kafka clients log every setting of every client they make at INFO
    quiet("org.apache.kafka");
    // "CP Subsystem is not enabled": dockline uses no CP structure (leases use entry processors)
    Logger cp = Logger.getLogger("com.hazelcast.cp.CPSubsystem");
    cp.setLevel(Level.SEVERE);
    CONFIGURED.add(cp);
    // "No member group is available to assign partition ownership", once per map operation while the cluster has
    // no data member: DataMembers says it once, on /health and in the log
    Logger partitions = Logger.getLogger("com.hazelcast.internal.partition.impl.PartitionStateManager");
    partitions.setLevel(Level.SEVERE);
    CONFIGURED.add(partitions);
  }

  private static void quiet(String name) {
    Logger l = Logger.getLogger(name);
    l.setLevel(Level.WARNING);
    CONFIGURED.add(l);
  }
}
