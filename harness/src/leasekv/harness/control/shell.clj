(ns leasekv.harness.control.shell
  "Runs programs on this machine with a deadline, capturing their output."
  (:refer-clojure :exclude [run!])
  (:require [clojure.string :as str])
  (:import (java.io InputStream)
           (java.util.concurrent TimeUnit)))

(defn- drain [^InputStream in]
  (future (slurp in)))

(defn run
  "Takes a vector of program and arguments, and {:timeout-ms n (default 60000), :stdin string}.
  Runs it here and returns {:exit :out :err}. On timeout the process is killed and ex-info with
  {:type :timeout} is thrown, naming the command."
  ([argv] (run argv {}))
  ([argv {:keys [timeout-ms stdin] :or {timeout-ms 60000}}]
   (let [pb (ProcessBuilder. ^java.util.List (mapv str argv))
         p (.start pb)
         out (drain (.getInputStream p))
         err (drain (.getErrorStream p))]
     (with-open [w (.getOutputStream p)]
       (when stdin (.write w (.getBytes ^String stdin "UTF-8"))))
     (if (.waitFor p timeout-ms TimeUnit/MILLISECONDS)
       {:exit (.exitValue p) :out @out :err @err}
       (do (.destroyForcibly (.toHandle p))
           (.destroyForcibly p)
           (throw (ex-info (str "Timed out after " timeout-ms " ms: " (str/join " " argv))
                           {:type :timeout :argv argv})))))))

(defn run!
  "Like run, but returns trimmed stdout and throws ex-info naming the command, exit status and
  stderr when the exit status is not 0."
  ([argv] (run! argv {}))
  ([argv opts]
   (let [{:keys [exit out err]} (run argv opts)]
     (when-not (zero? exit)
       (throw (ex-info (str "Command failed (exit " exit "): " (str/join " " argv)
                            (when-not (str/blank? err) (str ": " (str/trim err))))
                       {:type :exec-failed :argv argv :exit exit :out out :err err})))
     (str/trim out))))

(defn sh-line!
  "Runs a shell command line on this machine with sh -c. Returns trimmed stdout; throws on failure."
  ([line] (sh-line! line {}))
  ([line opts] (run! ["sh" "-c" line] opts)))
