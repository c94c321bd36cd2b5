(defproject io.leasekv/harness "0.1.0-SNAPSHOT"
  :description "A Jepsen-style test harness for leasekv: local network-namespace or SSH clusters, faults, histories, a linearizability checker."
  :license {:name "Apache-2.0"}
  :dependencies [[org.clojure/clojure "1.12.0"]
                 [org.clojure/tools.cli "1.1.230"]
                 [org.clojure/data.json "2.5.0"]
                 [com.github.mwiede/jsch "2.28.8"]
                 [io.leasekv/leasekv-client "0.1.0-SNAPSHOT"]
                 [io.leasekv/leasekv-checker "0.1.0-SNAPSHOT"]]
  ;; The default :base profile pulls nrepl from Clojars, which this network cannot reach.
  :profiles {:base {}
             :uberjar {:aot :all}
             ;; Tests compile with macro specs checked (see :jvm-opts).
             :test {:jvm-opts ["-Dclojure.spec.skip-macros=false"]}}
  :source-paths ["harness/src"]
  :test-paths ["harness/test"]
  :resource-paths ["harness/resources"]
  :target-path "harness/target/%s"
  :main leasekv.harness.cli
  ;; Every namespace is compiled ahead of time (lein recompiles the ones whose source changed):
  ;; `lein run` then starts in ~3 s instead of ~9 s of compiling every namespace from source
  ;; (issue 6: cluster start). Naming only the main namespace here is not enough: lein checks only
  ;; the named namespaces' sources for changes, and namespaces loaded later (requiring-resolve, such
  ;; as the store's db) would never be compiled, so Clojure compiled them from source on every run.
  :aot :all
  ;; No spec checks of macro calls when `lein run` starts: its own startup form would load and
  ;; compile clojure.core.specs from source (~0.3 s, 0.5 s of CPU); the harness itself is AOT-compiled.
  ;; CompileThresholdScaling=3: a method is JIT-compiled after 3x the usual calls, so the JIT spends
  ;; less of the two cores on code that runs only while the cluster starts (as for the store's
  ;; nodes); the ops the harness can drive did not change (docs/performance.md).
  :jvm-opts ["-Xmx4g" "-XX:+UseG1GC" "-Dclojure.spec.skip-macros=true" "-XX:CompileThresholdScaling=3"]
  :test-selectors {:default (complement :integration)
                   :integration :integration
                   :all (constantly true)})
