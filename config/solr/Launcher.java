import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.core.SolrCore;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts Solr (embedded Jetty, HTTP API under /solr, no admin UI) for CKAN's `ckan` core.
 *
 * <pre>java -cp '.local/solr/lib/*' config/solr/Launcher.java &lt;solr_home&gt; &lt;port&gt;</pre>
 *
 * The solr home is created if missing: solr.xml is copied from this directory on every start, and
 * ckan/core.properties (configSet=ckan) is written once. The index lives in
 * &lt;solr_home&gt;/ckan/data; the configset is read in place from the configsets/ directory next to
 * this file (override with -Dnanjing.configsets=DIR). JettySolrRunner binds 127.0.0.1 only.
 */
public class Launcher {
  static final String HOST = "127.0.0.1";
  static final String CORE = "ckan";
  static final Logger JERSEY_LOG = Logger.getLogger("org.glassfish.jersey"); // strong ref keeps the level

  public static void main(String[] args) {
    try {
      start(args);
    } catch (Throwable t) { // Jetty threads would keep a half-started JVM alive: exit instead
      fail("unexpected error: " + rootCause(t));
    }
  }

  static void start(String[] args) {
    if (args.length != 2) fail("usage: java -cp 'LIB/*' Launcher.java <solr_home> <port>");
    Path home = Path.of(args[0]).toAbsolutePath().normalize();
    int port = parsePort(args[1]);

    // In single-file source mode the JDK sets this to the path of Launcher.java.
    Path here = Path.of(System.getProperty("jdk.launcher.sourcefile", "Launcher.java"))
        .toAbsolutePath().getParent();
    Path configsets = Path.of(System.getProperty("nanjing.configsets",
        here.resolve("configsets").toString())).toAbsolutePath().normalize();
    if (!Files.isRegularFile(configsets.resolve(CORE + "/conf/solrconfig.xml")))
      fail("no configset at " + configsets + "/" + CORE + "/conf (set -Dnanjing.configsets=DIR)");
    if (home.startsWith(here)) fail("solr home " + home + " must not be inside " + here + " (it holds the index)");

    checkPortFree(port);
    initHome(home, here.resolve("solr.xml"));
    System.setProperty("nanjing.configsets", configsets.toString()); // ${nanjing.configsets} in solr.xml
    // Solr warns at startup when this is unset. Logging stays log4j's default (errors
    // only, to stdout); pass -Dlog4j2.configurationFile=FILE for more.
    System.setProperty("solr.log.dir", System.getProperty("solr.log.dir", home.resolve("logs").toString()));
    JERSEY_LOG.setLevel(Level.SEVERE); // hides a harmless startup warning about jakarta.activation

    JettySolrRunner solr = new JettySolrRunner(home.toString(), new Properties(),
        JettyConfig.builder().setPort(port).withPortRetryTime(0).stopAtShutdown(false).build());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(solr), "solr-shutdown"));
    try {
      solr.start(); // waits for cores to finish loading
    } catch (Exception e) {
      fail("Solr failed to start on " + HOST + ":" + port + ": " + rootCause(e));
    }

    // Solr starts even when a core fails to load; for us that is a failed start.
    CoreContainer cc = solr.getCoreContainer();
    try (SolrCore core = cc.getCore(CORE)) { // throws if the core failed to init
      if (core == null) fail("core '" + CORE + "' not found in " + home);
    } catch (Exception e) {
      fail("core '" + CORE + "' did not load: " + e.getMessage());
    }
    System.out.println("SOLR_READY http://" + HOST + ":" + solr.getLocalPort() + "/solr");
  }

  /** Idempotent: creates the home, refreshes solr.xml, writes core.properties once. */
  static void initHome(Path home, Path solrXml) {
    try {
      if (Files.exists(home) && !Files.isDirectory(home)) fail("solr home " + home + " is not a directory");
      Files.createDirectories(home.resolve(CORE));
      Files.copy(solrXml, home.resolve("solr.xml"), StandardCopyOption.REPLACE_EXISTING);
      Path props = home.resolve(CORE).resolve("core.properties");
      if (!Files.exists(props)) Files.writeString(props, "name=" + CORE + "\nconfigSet=" + CORE + "\n");
    } catch (IOException e) {
      fail("cannot prepare solr home " + home + ": " + e);
    }
  }

  static void checkPortFree(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(HOST, port));
    } catch (IOException e) {
      fail("port " + port + " on " + HOST + " is already in use (" + e.getMessage() + ")");
    }
  }

  static void stop(JettySolrRunner solr) {
    try {
      if (solr.isRunning()) {
        solr.stop();
        System.out.println("SOLR_STOPPED");
      }
    } catch (Exception e) {
      System.err.println("error while stopping Solr: " + e);
    }
  }

  static int parsePort(String s) {
    try {
      int p = Integer.parseInt(s);
      if (p > 0 && p < 65536) return p;
    } catch (NumberFormatException e) {
      // fall through
    }
    fail("invalid port: " + s);
    return -1;
  }

  static String rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return (t instanceof BindException ? "port in use: " : "") + t;
  }

  static void fail(String msg) {
    System.err.println("SOLR_FAILED " + msg);
    System.exit(1); // runs the shutdown hook, which stops Solr if it got that far
  }
}
