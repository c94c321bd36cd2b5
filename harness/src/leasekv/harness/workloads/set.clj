(ns leasekv.harness.workloads.set
  "The set workload: clients add unique integers ({:f :add :value n}); after every fault is
  healed, a final read ({:f :read}, completing with the set of elements) is retried until one
  succeeds. Checked for lost elements (acknowledged but missing) and unexpected ones (never
  added)."
  (:require [leasekv.harness.checker :as checker]
            [leasekv.harness.generator :as gen]))

(defn workload
  "Returns {:generator :final-generator :checker} for the set workload."
  [_opts]
  {:generator (map (fn [x] {:f :add :value x}) (range))
   :final-generator (gen/clients (gen/until-ok (gen/limit 60 (gen/delay 1 (gen/repeat {:f :read})))))
   :checker (checker/set-checker)})
