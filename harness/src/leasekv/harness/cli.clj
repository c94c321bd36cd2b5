(ns leasekv.harness.cli
  (:gen-class))

(defn -main [& args]
  (println "leasekv harness: not yet" args))
