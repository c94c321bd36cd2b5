(ns leasekv.harness.client
  "Clients apply operations to the system under test. The harness opens one client per process;
  a process whose operation ended :info (indeterminate) is retired, and its thread continues as a
  new process with a freshly opened client, as in Jepsen.

  Outcome conventions: an operation returns its op with :type :ok (it happened), :fail (it
  definitely did not happen) or :info (it may or may not have happened). An exception thrown by
  invoke! is recorded as :info with the exception, because the harness cannot know whether it
  took effect.")

(defprotocol Client
  (open! [client test node]
    "Returns a new client bound to node (it may talk to other nodes too), ready for invoke!.")
  (setup! [client test]
    "Prepares the data the workload needs (once, on one client, before the run). Returns nil.")
  (invoke! [client test op]
    "Applies op (a map with :f and :value) and returns the completed op with :type :ok, :fail
    or :info. May add fields such as :error or :node.")
  (teardown! [client test] "Undoes setup! where that matters. Returns nil.")
  (close! [client test] "Releases the client's connections. Returns nil."))
