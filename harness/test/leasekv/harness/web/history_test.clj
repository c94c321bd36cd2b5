(ns leasekv.harness.web.history-test
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.web.fixtures :as fx]
            [leasekv.harness.web.history :as wh]
            [leasekv.harness.web.html :as html]))

(deftest html-renders-and-escapes
  (is (= "<p class=\"a b\" id=\"x\">1 &lt; 2 &amp; &quot;q&quot;</p>" (html/render [:p#x.a {:class "b"} "1 < 2 & \"q\""])))
  (is (= "<img alt=\"&lt;svg&gt;\" src=\"a.svg\">" (html/render [:img {:src "a.svg" :alt "<svg>"}])))
  (testing "nil and false render nothing, seqs splice, raw passes through, a raw body is not taken for attributes"
    (is (= "<ul><li>1</li><li>2</li></ul>" (html/render [:ul nil false (for [i [1 2]] [:li i])])))
    (is (= "<script>a<b</script>" (html/render [:script (html/raw "a<b")]))))
  (testing "JSON for a script element cannot close it"
    (is (= "{\"a\":\"<\\/script>\"}" (html/script-json "{\"a\":\"</script>\"}")))))

(deftest reads-histories-leniently
  (let [dir (fx/temp-dir "web-history")
        f (io/file dir "history.edn")]
    (try
      (spit f (str "{:index 0, :time 5, :type :invoke, :process 0, :f :read, :value [0 nil]}\n"
                   "\n"
                   "{:index 1, :time 9, :type :ok, :process 0, :f :read, :value [0 1] :x #object[Foo 1]}\n"
                   "{:index 2, :time 12, :type :invoke, :proc"))
      (let [{:keys [ops bad-lines first-bad-line]} (wh/read-history f)]
        (is (= [0 1] (map :index ops)) "a tagged literal is read, a half-written last line skipped")
        (is (= 1 bad-lines))
        (is (= 4 first-bad-line)))
      (is (= {:ops [] :bad-lines 0 :first-bad-line nil} (wh/read-history (io/file dir "absent.edn"))))
      (finally (fx/delete-tree! dir)))))

(deftest pairs-invocations-with-completions
  (let [ops [{:index 0 :time 10 :type :invoke :process 0 :f :write :value 1}
             {:index 1 :time 11 :type :invoke :process 1 :f :read :value nil}
             {:index 2 :time 12 :type :info :process :nemesis :f :kill :value :one}
             {:index 3 :time 20 :type :ok :process 1 :f :read :value 1}
             {:index 4 :time 25 :type :info :process 0 :f :write :value 1}
             {:index 5 :time 30 :type :invoke :process 2 :f :cas :value [1 2]}
             {:index 6 :time 31 :type :fail :process 7 :f :read :value nil}]
        ps (wh/pairs ops)]
    (is (= [[0 :write 0 4] [1 :read 1 3] [2 :cas 5 nil] [7 :read nil 6]]
           (map (juxt :process :f (comp :index :invoke) (comp :index :complete)) ps))
        "in invocation order; a pending op has no completion; an orphan completion is kept")
    (is (= [10 25] (wh/op-time (first ps))))
    (is (= [30 nil] (wh/op-time (nth ps 2))))))

(deftest faults-become-intervals-and-events
  (let [h (fx/register-history {:processes 4 :keys 2 :ops-per-process 20})
        end (wh/history-end h)
        {:keys [intervals events]} (wh/nemesis-activity h end)
        by-family (group-by :family intervals)]
    (testing "a partition, labelled with its split"
      (let [[p] (:partition by-family)]
        (is (= "partition isolate-leader: n1,n2,n4,n5 | n3" (:label p)))
        (is (< (:start p) (:on p) (:off p) (:end p)))
        (is (false? (:open? p)))))
    (testing "a kill, ended by :start, naming the killed nodes"
      (is (= ["kill minority: n2,n5"] (map :label (:kill by-family)))))
    (testing "a pause never resumed runs to the final heal"
      (let [[p] (:pause by-family)
            heal (first (filter #(= :heal (:f %)) h))]
        (is (:open? p))
        (is (= (:time heal) (:off p) (:end p)))))
    (testing "a transfer and the heal are events"
      (is (= ["transfer-leadership n1 -> n4: OK" "heal"] (map :label events))))))

(deftest pairs-fault-ops-added-later
  (let [op (fn [i f v] {:index i :time (* 10 i) :type :info :process :nemesis :f f :value v})
        h [(op 0 :start-delay {:target :leader :ms 50}) (op 1 :start-delay {:target "n2" :ms 50})
           (op 2 :clock-states nil) (op 3 :clock-states {})
           (op 4 :stop-delay nil) (op 5 :stop-delay :done)
           (op 6 :clock {:action :bump}) (op 7 :clock {"n1" 200})
           (op 8 :clock-reset nil) (op 9 :clock-reset nil)]
        {:keys [intervals events]} (wh/nemesis-activity h 100)]
    (is (= [[:delay 0 10 40 50] [:clock 60 70 80 90]] (map (juxt :family :start :on :off :end) intervals))
        ":start-X/:stop-X pair generically, :clock/:clock-reset by name")
    (is (str/starts-with? (:label (first intervals)) "delay"))
    (is (empty? events) "observations such as :clock-states are not drawn")))
