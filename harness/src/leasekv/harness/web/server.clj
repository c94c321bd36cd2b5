(ns leasekv.harness.web.server
  "A small static file server for results/ on the JDK's HttpServer: GET and HEAD only, never
  outside the root, directory listings where there is no index.html, and a hook that lets the
  viewer (re)build a page just before it is served."
  (:require [clojure.string :as str]
            [leasekv.harness.web.html :as html])
  (:import (com.sun.net.httpserver HttpExchange HttpHandler HttpServer)
           (java.io File)
           (java.net InetSocketAddress URLEncoder)
           (java.nio.charset StandardCharsets)
           (java.nio.file Files Path)
           (java.util.concurrent Executors ThreadFactory)))

(def content-types
  {"html" "text/html; charset=utf-8"
   "js" "text/javascript; charset=utf-8"
   "css" "text/css; charset=utf-8"
   "svg" "image/svg+xml"
   "png" "image/png"
   "json" "application/json; charset=utf-8"
   "edn" "text/plain; charset=utf-8"
   "log" "text/plain; charset=utf-8"
   "txt" "text/plain; charset=utf-8"
   "md" "text/plain; charset=utf-8"})

(defn content-type
  "The Content-Type for a file name; unknown extensions are text when the name has no dot (logs
  such as store.log.1 are matched by their first known extension), else binary."
  [^String name]
  (let [parts (rest (str/split (str/lower-case name) #"\."))]
    (or (some content-types (reverse parts))
        (when (empty? parts) "text/plain; charset=utf-8")
        (when (some #{"log"} parts) "text/plain; charset=utf-8")
        "application/octet-stream")))

(defn resolve-request
  "Takes the root (a Path, absolute and normalized) and a decoded request path. Returns the Path
  it names inside root, or nil when it would leave root."
  ^Path [^Path root ^String request-path]
  (let [rel (str/replace request-path #"^/+" "")
        p (.normalize (.resolve root rel))]
    (when (.startsWith p root) p)))

(defn- send! [^HttpExchange ex status ^String type ^bytes body]
  (let [h (.getResponseHeaders ex)]
    (.set h "Content-Type" type)
    (.set h "Cache-Control" "no-cache")
    (.set h "X-Content-Type-Options" "nosniff"))
  (if (= "HEAD" (.getRequestMethod ex))
    (do (.sendResponseHeaders ex status -1) (.close ex))
    (do (.sendResponseHeaders ex status (if (zero? (alength body)) -1 (alength body)))
        (with-open [out (.getResponseBody ex)] (.write out body)))))

(defn- send-text! [ex status text]
  (send! ex status "text/plain; charset=utf-8" (.getBytes (str text "\n") StandardCharsets/UTF_8)))

(defn- redirect! [^HttpExchange ex ^String location]
  (.set (.getResponseHeaders ex) "Location" location)
  (.sendResponseHeaders ex 301 -1)
  (.close ex))

(defn- url-encode [s] (str/replace (URLEncoder/encode (str s) "UTF-8") "+" "%20"))

(defn listing
  "An HTML listing of a directory: parent link, then subdirectories and files with sizes."
  [^String request-path ^File dir]
  (let [entries (sort-by (fn [^File f] [(not (.isDirectory f)) (.getName f)]) (.listFiles dir))]
    (html/document
     {:title (str "Index of " request-path)
      :head [:style "body{font:14px system-ui,sans-serif;margin:2em}td{padding:2px 12px}td.n{text-align:right}"]}
     [:h1 "Index of " request-path]
     [:table
      [:tr [:td [:a {:href "../"} "../"]] [:td]]
      (for [^File f entries :let [n (.getName f)]]
        [:tr [:td [:a {:href (str (url-encode n) (when (.isDirectory f) "/"))} n (when (.isDirectory f) "/")]]
         [:td.n (when (.isFile f) (format "%,d bytes" (.length f)))]])])))

(defn- serve-path! [^HttpExchange ex ^Path root before-serve]
  (let [request-path (.getPath (.getRequestURI ex))
        p (resolve-request root request-path)]
    (cond
      (nil? p) (send-text! ex 403 "Forbidden: outside the results directory")
      :else
      (let [f (.toFile p)
            _ (before-serve f)]
        (cond
          (and (.isDirectory f) (not (str/ends-with? request-path "/"))) (redirect! ex (str request-path "/"))
          (and (.isDirectory f) (do (before-serve (File. f "index.html")) (.isFile (File. f "index.html"))))
          (send! ex 200 (content-type "index.html") (Files/readAllBytes (.toPath (File. f "index.html"))))
          (.isDirectory f) (send! ex 200 (content-type "x.html") (.getBytes ^String (listing request-path f) StandardCharsets/UTF_8))
          (.isFile f) (send! ex 200 (content-type (.getName f)) (Files/readAllBytes (.toPath f)))
          :else (send-text! ex 404 (str "Not found: " request-path)))))))

(defn handler
  "Returns the HttpHandler serving root. before-serve is called with the File about to be served
  (it may create or refresh it). log-fn gets one line per failed request."
  [^Path root before-serve log-fn]
  (reify HttpHandler
    (handle [_ ex]
      (try
        (if (#{"GET" "HEAD"} (.getRequestMethod ex))
          (serve-path! ex root before-serve)
          (do (.set (.getResponseHeaders ex) "Allow" "GET, HEAD")
              (send-text! ex 405 "Only GET and HEAD")))
        (catch Throwable t
          (log-fn (str "Request " (.getRequestURI ex) " failed: " t))
          (try (send-text! ex 500 (str "Internal error: " (.getMessage t))) (catch Throwable _ nil)))
        (finally (.close ex))))))

(defn start!
  "Starts serving root on bind:port (port 0 picks a free one). Returns the HttpServer; its
  .getAddress tells the port. Stop it with (.stop server 0)."
  ^HttpServer [{:keys [root port bind before-serve log-fn] :or {port 8080 bind "127.0.0.1"
                                                                 before-serve (fn [_]) log-fn println}}]
  (let [root (.normalize (.toAbsolutePath (.toPath (File. ^String (str root)))))
        server (HttpServer/create (InetSocketAddress. ^String bind (int port)) 64)]
    (.createContext server "/" (handler root before-serve log-fn))
    (.setExecutor server (Executors/newFixedThreadPool
                          4 (reify ThreadFactory
                              (newThread [_ r] (doto (Thread. ^Runnable r "viewer-http") (.setDaemon true))))))
    (.start server)
    server))

(defn stop!
  "Stops a server started by start! and its request threads."
  [^HttpServer server]
  (.stop server 0)
  (some-> ^java.util.concurrent.ExecutorService (.getExecutor server) (.shutdown)))
