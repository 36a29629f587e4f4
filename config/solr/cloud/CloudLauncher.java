import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.response.CollectionAdminResponse;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Starts a throwaway local SolrCloud for tests: N Solr nodes (embedded Jetty, random ports on
 * 127.0.0.1) and an embedded ZooKeeper in this JVM, via solr-test-framework's MiniSolrCloudCluster.
 *
 * <pre>java -cp '.local/solr/cloud-lib/*' config/solr/cloud/CloudLauncher.java &lt;base_dir&gt; &lt;nodes&gt; &lt;shards&gt;</pre>
 *
 * It uploads this repo's configset (../configsets/ckan/conf, or -Dnanjing.configsets=DIR) to
 * ZooKeeper as config "ckan", creates collection "ckan" with &lt;shards&gt; shards and one replica
 * each, waits until every replica is active, then prints
 *
 * <pre>
 * SOLRCLOUD_READY http://127.0.0.1:PORT/solr      (node 1; CKAN's solr_url is this + /ckan)
 * SOLRCLOUD_NODE http://127.0.0.1:PORT/solr       (one line per node)
 * SOLRCLOUD_ZK 127.0.0.1:PORT/solr                (ZooKeeper address with Solr's chroot)
 * </pre>
 *
 * SIGTERM / Ctrl-C shuts the nodes and ZooKeeper down (SOLRCLOUD_STOPPED). &lt;base_dir&gt; holds
 * the nodes' cores and ZooKeeper's data; it must be missing or empty (the cluster is rebuilt from
 * nothing every time) and outside config/. Failures print SOLRCLOUD_FAILED &lt;reason&gt; on stderr
 * and exit 1.
 */
public class CloudLauncher {
  static final String NAME = "ckan"; // config and collection name
  static final Logger JERSEY_LOG = Logger.getLogger("org.glassfish.jersey"); // strong ref keeps the level
  static volatile MiniSolrCloudCluster cluster;

  public static void main(String[] args) {
    try {
      start(args);
    } catch (Throwable t) { // Jetty/ZooKeeper threads would keep a half-started JVM alive: exit
      fail("unexpected error: " + rootCause(t));
    }
  }

  static void start(String[] args) throws Exception {
    if (args.length != 3) fail("usage: java -cp 'LIB/*' CloudLauncher.java <base_dir> <nodes> <shards>");
    Path base = Path.of(args[0]).toAbsolutePath().normalize();
    int nodes = parseCount("nodes", args[1]);
    int shards = parseCount("shards", args[2]);

    // In single-file source mode the JDK sets this to the path of CloudLauncher.java
    // (config/solr/cloud/); the configset is config/solr/configsets/ckan/conf.
    Path here = Path.of(System.getProperty("jdk.launcher.sourcefile", "CloudLauncher.java"))
        .toAbsolutePath().getParent();
    Path configDir = here.getParent().getParent(); // the repo's config/
    Path conf = Path.of(System.getProperty("nanjing.configsets",
        here.resolveSibling("configsets").toString())).toAbsolutePath().normalize()
        .resolve(NAME).resolve("conf");
    if (!Files.isRegularFile(conf.resolve("solrconfig.xml")))
      fail("no configset at " + conf + " (set -Dnanjing.configsets=DIR)");
    if (base.startsWith(configDir)) fail("base dir " + base + " must not be inside " + configDir);
    if (Files.exists(base)) {
      if (!Files.isDirectory(base)) fail("base dir " + base + " is not a directory");
      try (Stream<Path> entries = Files.list(base)) {
        // MiniSolrCloudCluster creates node1/, node2/... and refuses existing ones
        if (entries.findAny().isPresent()) fail("base dir " + base + " must be empty or missing");
      }
    }

    System.setProperty("solr.log.dir", System.getProperty("solr.log.dir", base.resolve("logs").toString()));
    JERSEY_LOG.setLevel(Level.SEVERE); // hides a harmless startup warning about jakarta.activation

    Runtime.getRuntime().addShutdownHook(new Thread(CloudLauncher::stop, "solrcloud-shutdown"));
    // Port 0: every node gets a free port. The cluster writes its own solr.xml to ZooKeeper
    // (DEFAULT_CLOUD_SOLR_XML: host 127.0.0.1, context /solr, metrics off).
    cluster = new MiniSolrCloudCluster(nodes, base, MiniSolrCloudCluster.DEFAULT_CLOUD_SOLR_XML,
        JettyConfig.builder().setPort(0).stopAtShutdown(false).build());

    // The same files a production cluster gets with `solr zk upconfig -n ckan -d .../conf`.
    cluster.uploadConfigSet(conf, NAME);
    CollectionAdminResponse created = CollectionAdminRequest.createCollection(NAME, NAME, shards, 1)
        .process(cluster.getSolrClient());
    if (!created.isSuccess()) fail("creating collection " + NAME + " failed: " + created.getErrorMessages());
    cluster.waitForActiveCollection(NAME, 120, TimeUnit.SECONDS, shards, shards);

    System.out.println("SOLRCLOUD_READY " + cluster.getJettySolrRunner(0).getBaseUrl());
    for (JettySolrRunner node : cluster.getJettySolrRunners())
      System.out.println("SOLRCLOUD_NODE " + node.getBaseUrl());
    System.out.println("SOLRCLOUD_ZK " + cluster.getZkServer().getZkAddress());
    System.out.flush();
    Thread.currentThread().join(); // until SIGTERM; the shutdown hook stops the cluster
  }

  static void stop() {
    MiniSolrCloudCluster c = cluster;
    if (c == null) return;
    try {
      c.shutdown();
      System.out.println("SOLRCLOUD_STOPPED");
    } catch (Exception e) {
      System.err.println("error while stopping SolrCloud: " + e);
    }
  }

  static int parseCount(String what, String s) {
    try {
      int n = Integer.parseInt(s);
      if (n > 0 && n <= 16) return n;
    } catch (NumberFormatException e) {
      // fall through
    }
    fail("invalid number of " + what + ": " + s + " (1-16)");
    return -1;
  }

  static String rootCause(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    return t.toString();
  }

  static void fail(String msg) {
    System.err.println("SOLRCLOUD_FAILED " + msg);
    System.exit(1); // runs the shutdown hook, which stops whatever was started
  }
}
