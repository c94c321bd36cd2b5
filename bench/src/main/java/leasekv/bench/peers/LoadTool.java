package leasekv.bench.peers;

/** One external load generator aimed at one system and one operation. */
interface LoadTool {
  /** What one run measured. Latencies in milliseconds. */
  record Run(double opsPerSecond, double p50Millis, double p99Millis) {}

  /** Sends {@code requests} requests from {@code concurrency} clients and returns the tool's own figures. */
  Run run(int concurrency, long requests) throws Exception;
}
