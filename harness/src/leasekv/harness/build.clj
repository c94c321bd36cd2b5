(ns leasekv.harness.build
  "Builds this repository's jars with Maven when the harness needs one that is missing (the store,
  lazyfs, the delay proxy). One lock for all of them: two Maven installs into ~/.m2 at once can
  corrupt each other."
  (:require [clojure.java.io :as io]
            [clojure.string :as str]
            [leasekv.harness.control.shell :as shell]
            [leasekv.harness.log :as log]))

(defonce ^:private lock (Object.))

(defn ensure-jar!
  "Takes the repository root, a Maven module (e.g. \"lazyfs\"), the jar's path under root, a
  description, and (optionally) a predicate of the jar's path that says it must be rebuilt (default:
  it is missing). Runs `mvn -pl module -am install -DskipTests` when needed. Returns the jar's
  path. Throws ex-info {:type :build-failed} with Maven's last line when the build fails."
  ([root module jar-path what] (ensure-jar! root module jar-path what #(not (.exists (io/file %)))))
  ([root module jar-path what rebuild?]
   (locking lock
     (let [jar (str root "/" jar-path)]
       (when (rebuild? jar)
         (log/info! "Building" jar (str "with Maven (" what ")"))
         (let [{:keys [exit out err]} (shell/run ["mvn" "-B" "-q" "-f" (str root "/pom.xml") "-pl" module
                                                  "-am" "install" "-DskipTests"]
                                                 {:timeout-ms 900000})]
           (when-not (and (zero? exit) (.exists (io/file jar)))
             (throw (ex-info (str "Building " jar " failed (exit " exit "): " (last (str/split-lines (str out err))))
                             {:type :build-failed :out out :err err})))))
       jar))))
