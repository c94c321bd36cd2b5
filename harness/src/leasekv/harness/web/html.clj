(ns leasekv.harness.web.html
  "A small hiccup-style HTML renderer (Clojars' hiccup is out of reach): [:tag {attrs} & children]
  renders an element, strings are escaped, nil and false render nothing, seqs are spliced, and
  (raw s) passes trusted markup through. `:div.a.b` adds classes, `:div#x` an id."
  (:require [clojure.string :as str]))

(defrecord Raw [html])

(defn raw "Marks s as trusted HTML, inserted as it is." [s] (->Raw (str s)))

(defn escape
  "Returns s with the characters that are special in HTML text and attribute values escaped."
  ^String [s]
  (let [s (str s)
        sb (StringBuilder. (+ (count s) 16))]
    (doseq [c s]
      (case c
        \& (.append sb "&amp;")
        \< (.append sb "&lt;")
        \> (.append sb "&gt;")
        \" (.append sb "&quot;")
        \' (.append sb "&#39;")
        (.append sb c)))
    (.toString sb)))

(def ^:private void-tags #{"area" "base" "br" "col" "embed" "hr" "img" "input" "link" "meta" "source" "track" "wbr"})

(defn- parse-tag
  "Splits :div#id.a.b into [\"div\" \"id\" [\"a\" \"b\"]]."
  [tag]
  (let [[_ t id classes] (re-matches #"([^#.]+)(?:#([^.]+))?((?:\.[^.]+)*)" (name tag))]
    [t id (remove str/blank? (str/split (or classes "") #"\."))]))

(defn- attr-value [v]
  (cond (keyword? v) (name v)
        (coll? v) (str/join " " (map #(if (keyword? %) (name %) (str %)) (remove nil? v)))
        :else (str v)))

(defn- render-attrs [^StringBuilder sb attrs]
  (doseq [[k v] attrs
          :when (and (some? v) (not (false? v)))]
    (.append sb " ")
    (.append sb (name k))
    (when-not (true? v)
      (.append sb "=\"")
      (.append sb (escape (attr-value v)))
      (.append sb "\""))))

(declare render-into!)

(defn- render-element [^StringBuilder sb [tag & body]]
  (let [[t id classes] (parse-tag tag)
        [attrs children] (if (and (map? (first body)) (not (instance? Raw (first body)))) [(first body) (rest body)] [{} body])
        class (str/join " " (concat classes (when-let [c (:class attrs)] [(attr-value c)])))
        attrs (cond-> (dissoc attrs :class)
                id (assoc :id id)
                (seq class) (assoc :class class))]
    (.append sb "<") (.append sb ^String t)
    (render-attrs sb (sort-by (comp name key) attrs))
    (.append sb ">")
    (when-not (void-tags t)
      (doseq [c children] (render-into! sb c))
      (.append sb "</") (.append sb ^String t) (.append sb ">"))))

(defn- render-into! [^StringBuilder sb x]
  (cond
    (or (nil? x) (false? x)) nil
    (instance? Raw x) (.append sb ^String (:html x))
    (vector? x) (render-element sb x)
    (seq? x) (doseq [c x] (render-into! sb c))
    :else (.append sb (escape x))))

(defn render
  "Returns the HTML text of a hiccup form (or a seq of forms)."
  ^String [form]
  (let [sb (StringBuilder.)]
    (render-into! sb form)
    (.toString sb)))

(defn document
  "Returns a complete HTML5 page: a head with title, charset and the given extra head forms, and
  body as given."
  [{:keys [title head body-attrs]} & body]
  (str "<!DOCTYPE html>\n"
       (render [:html {:lang "en"}
                [:head [:meta {:charset "utf-8"}]
                 [:meta {:name "viewport" :content "width=device-width, initial-scale=1"}]
                 [:title title]
                 head]
                [:body (or body-attrs {}) body]])
       "\n"))

(defn script-json
  "Returns JSON text safe to embed inside a <script> element: `</` and the line separators that
  break JavaScript string literals are escaped."
  ^String [^String json]
  (-> json
      (str/replace "</" "<\\/")
      (str/replace "\u2028" "\\u2028")
      (str/replace "\u2029" "\\u2029")))
