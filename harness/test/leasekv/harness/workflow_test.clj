(ns leasekv.harness.workflow-test
  "The nightly CI workflow (.github/workflows/nightly.yml) cannot run here, so check what can be:
  it parses as YAML (through python3's yaml module; skipped with a message without it), it runs
  the nightly as root on a schedule and keeps results/ whatever happened, and its apt packages
  are the Makefile's."
  (:require [clojure.data.json :as json]
            [clojure.java.io :as io]
            [clojure.string :as str]
            [clojure.test :refer [deftest is testing]]
            [leasekv.harness.control.shell :as shell]))

(def workflow-file ".github/workflows/nightly.yml")

(defn- python-yaml? []
  (zero? (:exit (shell/run ["python3" "-c" "import yaml"]))))

(defn- workflow
  "Returns the workflow parsed by python3's yaml.safe_load, as JSON data (string keys). YAML 1.1
  reads the key `on` as true; it comes back as \"on\"."
  []
  (let [script (str "import json, sys, yaml\n"
                    "d = yaml.safe_load(open(sys.argv[1]))\n"
                    "if True in d: d['on'] = d.pop(True)\n"
                    "print(json.dumps(d))\n")]
    (json/read-str (shell/run! ["python3" "-c" script workflow-file]))))

(defn- makefile-packages []
  (let [text (slurp "Makefile")
        [_ body] (re-find #"(?s)APT_PACKAGES := (.*?)\n(?!\s)" text)]
    (set (str/split (str/trim (str/replace body #"\\\n" " ")) #"\s+"))))

(deftest apt-packages-mirror-the-makefile
  (let [line (some #(second (re-find #"^\s+APT_PACKAGES: (.+)$" %)) (str/split-lines (slurp workflow-file)))
        packages (set (str/split (str/trim line) #"\s+"))]
    (is (seq packages))
    (is (empty? (remove (makefile-packages) packages))
        "every package the workflow installs is one the Makefile installs")
    (is (every? (makefile-packages) ["leiningen" "iptables" "iproute2" "fuse3"]))))

(deftest workflow-runs-the-nightly-as-root-and-keeps-results
  (if-not (python-yaml?)
    (println "SKIPPED workflow-runs-the-nightly-as-root-and-keeps-results: python3 with the yaml module is missing")
    (let [w (workflow)
          job (get-in w ["jobs" "harness-matrix"])
          steps (get job "steps")
          runs (keep #(get % "run") steps)
          upload (first (filter #(some-> (get % "uses") (str/starts-with? "actions/upload-artifact")) steps))]
      (is (seq (get-in w ["on" "schedule"])) "a schedule")
      (is (contains? (get w "on") "workflow_dispatch") "and by hand")
      (is (= "ubuntu-latest" (get job "runs-on")))
      (testing "Java 17"
        (is (some #(and (some-> (get % "uses") (str/starts-with? "actions/setup-java"))
                        (= "17" (str (get-in % ["with" "java-version"]))))
                  steps)))
      (testing "the nightly runs through sudo, with the build before it"
        (is (some #(re-find #"sudo .*make build" %) runs))
        (is (some #(re-find #"sudo .*bin/nightly" %) runs)))
      (testing "results/ is uploaded also when the nightly failed"
        (is (= "results/" (get-in upload ["with" "path"])))
        (is (= "always()" (get upload "if"))))
      (let [budget (some #(some-> (re-find #"--budget-minutes (\d+)" %) second parse-long) runs)]
        (is (some? budget) "the nightly refuses a plan longer than the job may run")
        (is (< (or budget Long/MAX_VALUE) (get job "timeout-minutes"))
            "the job's timeout leaves room after the nightly's budget")))))

(deftest the-full-sensitivity-matrix-runs-every-night-in-its-own-job
  (if-not (python-yaml?)
    (println "SKIPPED the-full-sensitivity-matrix-runs-every-night-in-its-own-job: python3 with the yaml module is missing")
    (let [w (workflow)
          job (get-in w ["jobs" "sensitivity-matrix"])
          steps (get job "steps")
          runs (keep #(get % "run") steps)
          upload (first (filter #(some-> (get % "uses") (str/starts-with? "actions/upload-artifact")) steps))]
      (is (some #(re-find #"sudo .*make build" %) runs))
      (is (some #(re-find #"sudo .*lein run sensitivity --every-run" %) runs)
          "every mode three times: the two-of-three claim is what the nightly checks")
      (is (not-any? #(re-find #"lein run sensitivity" %) (keep #(get % "run") (get-in w ["jobs" "harness-matrix" "steps"])))
          "not also in the matrix's job, whose budget it would exceed")
      (is (= "always()" (get upload "if")))
      (is (<= 240 (get job "timeout-minutes")) "89 runs of 60 s of workload, some 2-2.5 hours"))))

(deftest workflow-runs-the-mutation-score-and-keeps-its-reports
  (if-not (python-yaml?)
    (println "SKIPPED workflow-runs-the-mutation-score-and-keeps-its-reports: python3 with the yaml module is missing")
    (let [job (get-in (workflow) ["jobs" "mutation"])
          steps (get job "steps")
          upload (first (filter #(some-> (get % "uses") (str/starts-with? "actions/upload-artifact")) steps))]
      (is (some #(some->> (get % "run") (re-find #"make mutation")) steps) "docs/mutation.md's command")
      (is (re-find #"(?m)^mutation:" (slurp "Makefile")) "and the Makefile has it")
      (is (str/includes? (get-in upload ["with" "path"]) "pit-reports"))
      (is (= "always()" (get upload "if")) "the reports are kept also when the score is too low"))))
