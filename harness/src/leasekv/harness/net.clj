(ns leasekv.harness.net
  "Network partitions as grudges, applied with iptables on the nodes through the Remote.

  A grudge maps a node to the set of nodes it must not hear from; the node drops their packets
  on input (iptables INPUT DROP, every rule commented `leasekv-harness`). A symmetric partition
  is a grudge in both directions, a one-way partition in one. The harness (the host, or the
  control machine) is never cut off: clients keep reaching every node, as in Jepsen, so a
  member on the wrong side of a partition is still asked and can expose stale reads."
  (:require [clojure.set :as set]
            [clojure.string :as str]
            [leasekv.harness.control :as c]
            [leasekv.harness.util :as util]))

(def rule-comment "leasekv-harness")

;; ---------------------------------------------------------------------------------------------
;; Grudges (pure)

(defn complete-grudge
  "Takes a collection of components (collections of nodes). Returns the grudge in which every
  node hears only the nodes of its own component."
  [components]
  (let [all (set (apply concat components))]
    (into {} (for [comp components, n comp]
               [n (set/difference all (set comp))]))))

(defn split-halves
  "Returns [smaller larger]: the nodes split in two, the first half floor(n/2) long."
  [nodes]
  (split-at (quot (count nodes) 2) nodes))

(defn random-halves
  "Returns a grudge that cuts the nodes, shuffled, into a minority and a majority."
  [nodes]
  (complete-grudge (split-halves (shuffle nodes))))

(defn isolate
  "Returns a grudge that cuts node off from all the others (both directions)."
  [nodes node]
  (complete-grudge [[node] (remove #{node} nodes)]))

(defn bridge
  "Returns a grudge with two halves that cannot talk to each other and one node (the bridge, the
  middle of the shuffled nodes) that hears and is heard by both."
  [nodes]
  (let [ns (vec (shuffle nodes))
        mid (quot (count ns) 2)
        bridge-node (ns mid)
        left (set (subvec ns 0 mid))
        right (set (subvec ns (inc mid)))]
    (merge (into {} (for [n left] [n right]))
           (into {} (for [n right] [n left]))
           {bridge-node #{}})))

(defn majorities-ring
  "Returns a grudge in which every node hears a majority of the nodes (itself included) and no two
  nodes hear the same majority: the shuffled nodes stand in a ring and each hears its nearest
  neighbours."
  [nodes]
  (let [ring (vec (shuffle nodes))
        n (count ring)
        m (util/majority n)
        all (set ring)]
    (into {} (for [i (range n)]
               (let [visible (set (for [d (range (- (quot (dec m) 2)) (inc (- (dec m) (quot (dec m) 2))))]
                                    (ring (mod (+ i d) n))))]
                 [(ring i) (set/difference all visible)])))))

(defn one-way
  "Returns a grudge in which node hears nobody, while every other node still hears node."
  [nodes node]
  {node (set (remove #{node} nodes))})

(defn cut-pair
  "Returns a grudge that cuts the link between a and b (both directions) and nothing else."
  [a b]
  {a #{b} b #{a}})

(defn cut-from
  "Returns a grudge that cuts node off from each of others (both directions) and nothing else."
  [node others]
  (into {node (set others)} (for [o others] [o #{node}])))

(defn merge-grudges
  "Returns the grudge that drops everything any of the grudges drops: partitions composed."
  [& grudges]
  (into {} (remove (comp empty? val)) (apply merge-with set/union {} (map #(update-vals % set) grudges))))

(defn grudge-minus
  "Returns grudge g without the links grudge h drops (what is still cut after h heals)."
  [g h]
  (into {} (keep (fn [[n xs]] (let [left (set/difference (set xs) (set (get h n)))] (when (seq left) [n left]))))
        g))

(defn links
  "Returns the grudge's cut links as a sorted vector of [receiver sender] pairs (receiver drops
  what sender sends)."
  [grudge]
  (vec (sort (for [[n xs] grudge, x xs] [n x]))))

(defn components
  "Returns the grudge's components (sorted vectors of nodes) when it is a clean split, in which
  every node hears exactly the other nodes of its component; otherwise nil."
  [grudge]
  (let [all (set (concat (keys grudge) (apply concat (vals grudge))))
        views (set (for [n all] (set/difference all (get grudge n #{}))))]
    (when (and (= (count all) (reduce + (map count views)))
               (every? (fn [v] (every? #(= v (set/difference all (get grudge % #{}))) v)) views))
      (vec (sort-by first (map (comp vec sort) views))))))

(defn describe
  "Returns a short text for a grudge: `n1,n2 | n3,n4,n5` for a clean split, otherwise
  `n1 hears nothing from n2,n3; ...`."
  [grudge]
  (if-let [cs (components grudge)]
    (str/join " | " (map #(str/join "," %) cs))
    (str/join "; " (for [[n xs] (sort grudge) :when (seq xs)]
                     (str n " hears nothing from " (str/join "," (sort xs)))))))

;; ---------------------------------------------------------------------------------------------
;; Applying them

(defn drop-command
  "Returns the shell line that makes a node drop every packet from the given source addresses."
  [addresses]
  (str/join " && " (for [a addresses]
                     (c/join "iptables" "-w" "-A" "INPUT" "-s" a "-j" "DROP"
                             "-m" "comment" "--comment" rule-comment))))

(def heal-command
  "Shell line that deletes every iptables rule the harness added on a node (and only those)."
  (str "iptables -w -S INPUT | grep -- '--comment " rule-comment "' | sed 's/^-A /-D /' | "
       "while read -r rule; do eval iptables -w $rule; done; "
       "! iptables -w -S INPUT | grep -q -- '" rule-comment "'"))

(defn undrop-command
  "Returns the shell line that deletes the harness's drop rules for the given source addresses
  (and only those; a rule already gone is no error)."
  [addresses]
  (str/join "; " (for [a addresses]
                   (str (c/join "iptables" "-w" "-D" "INPUT" "-s" a "-j" "DROP" "-m" "comment" "--comment" rule-comment)
                        " 2>/dev/null"))))

(defn unpartition!
  "Removes exactly the links grudge cuts from the test's nodes (links cut by other partitions
  stay cut as long as the caller leaves them out of grudge). Returns nil."
  [test grudge]
  (let [remote (:remote test)]
    (util/on-nodes! test (filter #(seq (get grudge %)) (:nodes test))
                    (fn [_ node]
                      (c/exec! remote node (str (undrop-command (map #(c/address remote %) (sort (get grudge node))))
                                                "; true"))))
    nil))

(defn partition!
  "Applies grudge to the test's nodes (adding to whatever is already cut). Returns nil."
  [test grudge]
  (let [remote (:remote test)]
    (util/on-nodes! test (filter #(seq (get grudge %)) (:nodes test))
                    (fn [_ node]
                      (c/exec! remote node (drop-command (map #(c/address remote %) (sort (get grudge node)))))))
    nil))

(defn heal!
  "Removes every harness iptables rule on every node of the test. Returns nil."
  [test]
  (util/on-nodes! test (fn [test node] (c/exec! (:remote test) node heal-command)))
  nil)

(defn rules
  "Returns the harness's iptables rules on node, as lines of `iptables -S`."
  [test node]
  (->> (c/exec! (:remote test) node "iptables -w -S INPUT")
       str/split-lines
       (filter #(str/includes? % rule-comment))))
