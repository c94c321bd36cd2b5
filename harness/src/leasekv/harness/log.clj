(ns leasekv.harness.log
  "The harness log: timestamped lines on stdout and, while a run is being stored,
  in its harness.log. Thread-safe; a failed file write never breaks a run."
  (:require [clojure.java.io :as io])
  (:import (java.io Writer)
           (java.time LocalDateTime)
           (java.time.format DateTimeFormatter)))

(defonce ^:private file-writer (atom nil))
(defonce ^:private lock (Object.))
(def ^:dynamic *quiet*
  "When true, lines go only to the log file, not to stdout (used by unit tests)."
  false)

(def ^:private time-format (DateTimeFormatter/ofPattern "yyyy-MM-dd HH:mm:ss.SSS"))

(defn- line [level msg]
  (str (.format (LocalDateTime/now) time-format) " " level
       " [" (.getName (Thread/currentThread)) "] " msg))

(defn log!
  "Takes a level string and message parts (joined with spaces). Writes one line to stdout and to
  the current log file, if any. Returns nil."
  [level & parts]
  (let [l (line level (apply str (interpose " " parts)))]
    (locking lock
      (when-not *quiet* (println l) (flush))
      (when-let [^Writer w @file-writer]
        (try (.write w (str l "\n")) (.flush w)
             (catch Exception _ nil))))
    nil))

(defn info! [& parts] (apply log! "INFO" parts))
(defn warn! [& parts] (apply log! "WARN" parts))

(defn error!
  "Logs a message and, when given, a throwable's stack trace."
  [^Throwable t & parts]
  (apply log! "ERROR" (concat parts (when t [(str "\n" (with-out-str
                                                         (.printStackTrace t (java.io.PrintWriter. *out*))))]))))

(defn open-file!
  "Takes a path. From now on every line is also appended to that file. Returns nil."
  [path]
  (io/make-parents path)
  (let [w (io/writer path :append true)]
    (locking lock
      (when-let [^Writer old @file-writer] (.close old))
      (reset! file-writer w)))
  nil)

(defn close-file!
  "Stops writing to the log file, closing it. Returns nil."
  []
  (locking lock
    (when-let [^Writer w @file-writer] (.close w))
    (reset! file-writer nil))
  nil)
