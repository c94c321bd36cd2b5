(ns leasekv.harness.web.browser
  "Drives a headless Debian Chromium over the DevTools protocol, with the JDK's own HTTP and
  WebSocket clients (no driver, no npm): start it, open a page, evaluate JavaScript in it,
  dispatch mouse events, take PNG screenshots, stop it (and every process it started).

  The flags keep it from reaching for the network (this machine has none): no QUIC, no
  first-run, background networking, component updates or sync, and a fresh profile."
  (:require [clojure.data.json :as json]
            [clojure.java.io :as io]
            [clojure.string :as str])
  (:import (java.lang ProcessHandle)
           (java.net URI)
           (java.net.http HttpClient HttpRequest HttpResponse$BodyHandlers WebSocket WebSocket$Listener)
           (java.nio.file Files)
           (java.nio.file.attribute FileAttribute)
           (java.util Base64)
           (java.util.concurrent TimeUnit)))

(def chromium-flags
  ["--headless" "--no-sandbox" "--disable-gpu" "--disable-quic" "--no-first-run"
   "--disable-background-networking" "--disable-component-update" "--disable-sync"
   "--disable-default-apps" "--disable-extensions" "--mute-audio" "--hide-scrollbars"])

(defn chromium-path
  "The Chromium binary: $CHROMIUM, else /usr/bin/chromium. nil when absent."
  []
  (let [f (io/file (or (System/getenv "CHROMIUM") "/usr/bin/chromium"))]
    (when (.canExecute f) (.getPath f))))

(defn- wait-for-port-file [^java.io.File f ^Process p timeout-ms]
  (let [deadline (+ (System/currentTimeMillis) timeout-ms)]
    (loop []
      (cond
        (and (.isFile f) (>= (count (str/split-lines (slurp f))) 2)) (str/split-lines (slurp f))
        (not (.isAlive p)) (throw (ex-info (str "Chromium exited with status " (.exitValue p) " before listening") {}))
        (> (System/currentTimeMillis) deadline) (throw (ex-info "Chromium did not open its DevTools port in time" {}))
        :else (do (Thread/sleep 100) (recur))))))

(defn- http-get [^String url]
  (let [client (HttpClient/newHttpClient)
        req (.build (.GET (HttpRequest/newBuilder (URI. url))))]
    (.body (.send client req (HttpResponse$BodyHandlers/ofString)))))

(defn- listener
  "A WebSocket listener that joins message fragments and hands each whole message to on-message."
  [on-message]
  (let [buf (StringBuilder.)]
    (reify WebSocket$Listener
      (onText [_ ws data last?]
        (.append buf data)
        (when last?
          (let [msg (.toString buf)]
            (.setLength buf 0)
            (on-message msg)))
        (.request ws 1)
        nil))))

(defn- handle-message [{:keys [pending events]} msg]
  (let [m (json/read-str msg :key-fn keyword)]
    (if-let [id (:id m)]
      (when-let [p (get @pending id)]
        (swap! pending dissoc id)
        (deliver p m))
      (swap! events conj m))))

(defn call!
  "Sends a DevTools command and waits for its reply (30 s). Returns :result; throws on an error
  reply."
  ([b method] (call! b method {}))
  ([{:keys [^WebSocket ws pending next-id] :as _b} method params]
   (let [id (swap! next-id inc)
         p (promise)]
     (swap! pending assoc id p)
     (.join (.sendText ws (json/write-str {:id id :method method :params params}) true))
     (let [reply (deref p 30000 ::timeout)]
       (cond (= ::timeout reply) (throw (ex-info (str method " got no reply in 30 s") {:method method}))
             (:error reply) (throw (ex-info (str method " failed: " (:message (:error reply))) {:reply reply}))
             :else (:result reply))))))

(defn start!
  "Starts headless Chromium with a fresh profile and connects to its first page. Options:
  :width, :height (the viewport, CSS px). Returns the browser handle for the other functions."
  [& {:keys [width height] :or {width 1400 height 1000}}]
  (let [profile (Files/createTempDirectory "lkv-chromium" (make-array FileAttribute 0))
        log (io/file (str profile) "chromium.log")
        cmd (concat [(or (chromium-path) (throw (ex-info "No Chromium (apt-get install chromium)" {})))]
                    chromium-flags
                    [(str "--user-data-dir=" profile) "--remote-debugging-port=0"
                     (str "--window-size=" width "," height) "about:blank"])
        process (-> (ProcessBuilder. ^java.util.List (vec cmd))
                    (.redirectErrorStream true)
                    (.redirectOutput log)
                    (.start))]
    (try
      (let [[port] (wait-for-port-file (io/file (str profile) "DevToolsActivePort") process 30000)
            targets (json/read-str (http-get (str "http://127.0.0.1:" port "/json/list")) :key-fn keyword)
            page (or (first (filter #(= "page" (:type %)) targets))
                     (throw (ex-info "Chromium has no page target" {:targets targets})))
            state {:process process :profile profile :pending (atom {}) :next-id (atom 0) :events (atom [])}
            ws (.join (.buildAsync (.newWebSocketBuilder (HttpClient/newHttpClient))
                                   (URI. (:webSocketDebuggerUrl page))
                                   (listener #(handle-message state %))))
            b (assoc state :ws ws)]
        (call! b "Page.enable")
        (call! b "Runtime.enable")
        (call! b "Emulation.setDeviceMetricsOverride" {:width width :height height :deviceScaleFactor 1 :mobile false})
        b)
      (catch Throwable t
        (.destroyForcibly process)
        (throw t)))))

(defn stop!
  "Closes the connection, ends Chromium and every process it started, removes the profile."
  [{:keys [^Process process ^WebSocket ws profile]}]
  (try (when ws (.get (.sendClose ws WebSocket/NORMAL_CLOSURE "") 2 TimeUnit/SECONDS)) (catch Throwable _ nil))
  (let [children (vec (iterator-seq (.iterator (.descendants (.toHandle process)))))]
    (.destroy process)
    (when-not (.waitFor process 5 TimeUnit/SECONDS) (.destroyForcibly process))
    (doseq [^ProcessHandle c children] (.destroyForcibly c)))
  (doseq [f (reverse (file-seq (io/file (str profile))))] (.delete ^java.io.File f)))

(defn eval!
  "Evaluates a JavaScript expression in the page (promises awaited). Returns its value as data;
  throws with the page's error message if it threw."
  [b expression]
  (let [r (call! b "Runtime.evaluate" {:expression expression :returnByValue true :awaitPromise true})]
    (when-let [e (:exceptionDetails r)]
      (throw (ex-info (str "JavaScript error: " (or (get-in e [:exception :description]) (:text e))) {:expression expression})))
    (get-in r [:result :value])))

(defn wait-until!
  "Evaluates expression until it is truthy (timeout-ms). Returns its value; throws on timeout."
  [b expression timeout-ms]
  (let [deadline (+ (System/currentTimeMillis) timeout-ms)]
    (loop []
      (let [v (try (eval! b expression) (catch Exception _ nil))]
        (cond v v
              (> (System/currentTimeMillis) deadline) (throw (ex-info (str "Timed out waiting for " expression) {}))
              :else (do (Thread/sleep 100) (recur)))))))

(defn open!
  "Navigates to url and waits until the page has loaded (document.readyState complete)."
  [b url]
  (call! b "Page.navigate" {:url url})
  (Thread/sleep 200)
  (wait-until! b "document.readyState === 'complete' && location.href !== 'about:blank'" 30000))

(defn page-errors
  "JavaScript exceptions the pages threw so far (their descriptions)."
  [{:keys [events]}]
  (vec (for [e @events :when (= "Runtime.exceptionThrown" (:method e))]
         (or (get-in e [:params :exceptionDetails :exception :description])
             (get-in e [:params :exceptionDetails :text])))))

(defn mouse!
  "Dispatches a mouse event at (x, y) CSS px of the viewport: type is mousePressed, mouseReleased,
  mouseMoved or mouseWheel (with :delta-y)."
  [b type x y & {:keys [delta-y button] :or {delta-y 0 button "left"}}]
  (call! b "Input.dispatchMouseEvent"
         (cond-> {:type type :x x :y y}
           (= type "mouseWheel") (assoc :deltaX 0 :deltaY delta-y)
           (#{"mousePressed" "mouseReleased"} type) (assoc :button button :clickCount 1))))

(defn screenshot!
  "Saves a PNG of the page to file: the viewport, or with :full-page? the whole page (up to
  :max-height CSS px). Returns the file."
  [b file & {:keys [full-page? max-height] :or {max-height 8000}}]
  (let [params (if full-page?
                 (let [{:keys [cssContentSize]} (call! b "Page.getLayoutMetrics")]
                   {:format "png" :captureBeyondViewport true
                    :clip {:x 0 :y 0 :width (:width cssContentSize) :height (min max-height (:height cssContentSize)) :scale 1}})
                 {:format "png"})
        data (:data (call! b "Page.captureScreenshot" params))]
    (io/make-parents file)
    (Files/write (.toPath (io/file file)) (.decode (Base64/getDecoder) ^String data) (make-array java.nio.file.OpenOption 0))
    (io/file file)))
