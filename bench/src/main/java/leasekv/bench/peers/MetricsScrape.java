package leasekv.bench.peers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** One read of a node's Prometheus text at /metrics: series name with labels -> value. */
final class MetricsScrape {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Map<String, Double> values;

  private MetricsScrape(Map<String, Double> values) {
    this.values = values;
  }

  static MetricsScrape fetch(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException(url + " answered " + r.statusCode());
    return parse(r.body());
  }

  /** Parses Prometheus text format 0.0.4 (comments skipped; NaN kept). */
  static MetricsScrape parse(String text) {
    Map<String, Double> out = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      if (space <= 0) continue;
      try {
        out.put(line.substring(0, space).strip(), Double.parseDouble(line.substring(space + 1).strip()));
      } catch (NumberFormatException e) {
        // not a sample line
      }
    }
    return new MetricsScrape(out);
  }

  /** The value of {@code series} (e.g. {@code leasekv_lease_reads_total{outcome="hit"}}), 0 when absent. */
  double get(String series) {
    return values.getOrDefault(series, 0.0);
  }

  /** {@code this - earlier} for one series. */
  double delta(MetricsScrape earlier, String series) {
    return get(series) - earlier.get(series);
  }
}
