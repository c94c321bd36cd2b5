(ns leasekv.harness.slot
  "Which local cluster this harness process owns. Several harness runs can share one machine (for
  example several engineers' test suites, or a nightly job beside a developer's run) if each uses
  its own slot: the environment variable LEASEKV_SLOT, 0 (the default) to 9. A slot has its own
  namespaces, bridge, subnet, UTS files and node directories, and cleanup touches only its own.

  Slot 0 is the layout in docs/contracts.md: namespaces lkv-n1.., bridge lkv-br0, 10.77.0.0/24.
  Slot s > 0: namespaces lkv<s>-n1.., bridge lkv<s>-br0, 10.<77+s>.0.0/24.")

(defn- parse-slot [s]
  (let [v (some-> s str not-empty)]
    (cond (nil? v) 0
          (re-matches #"[0-9]" v) (Long/parseLong v)
          :else (throw (ex-info (str "LEASEKV_SLOT must be a digit 0-9, was " (pr-str v))
                                {:type :bad-slot :slot v})))))

(def slot
  "This process's slot, from LEASEKV_SLOT."
  (parse-slot (System/getenv "LEASEKV_SLOT")))

(defn prefix
  "Takes nothing. Returns the name prefix of this slot's network objects: \"lkv\" or \"lkv<s>\"."
  []
  (if (zero? slot) "lkv" (str "lkv" slot)))

(defn subnet-prefix
  "Returns the first three octets of this slot's /24, e.g. \"10.77.0\"."
  []
  (str "10." (+ 77 slot) ".0"))

(defn default-base-dir
  "Returns the default directory for node data and logs: /var/tmp/leasekv-harness (slot 0) or
  /var/tmp/leasekv-harness-<s>."
  []
  (if (zero? slot) "/var/tmp/leasekv-harness" (str "/var/tmp/leasekv-harness-" slot)))
