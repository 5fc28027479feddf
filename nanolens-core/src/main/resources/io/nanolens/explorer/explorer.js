"use strict";
/*
 * nanolens explorer, shared by index.html and feature.html: the data source and small DOM helpers.
 *
 * A data source has two methods, both returning promises:
 *   atlas()        the atlas index: header fields and the feature table by column (Java: AtlasIndex)
 *   feature(index) one feature card (Java: FeatureCard), or null when the atlas has no such feature
 * The page picks the source named by <meta name="nanolens-source" content="...">. "static" reads the
 * data/*.js files that StaticExplorer writes; another source (a live server's JSON API) registers itself
 * with Nanolens.registerSource(name, factory) in a script loaded before the page's own script.
 *
 * Everything that comes from the data is put into the page as text (textContent, setAttribute), never
 * parsed as HTML, so a corpus token such as "<script>" shows as those characters.
 */
const Nanolens = (() => {
  const sources = new Map();

  function registerSource(name, factory) {
    sources.set(name, factory);
  }

  function openSource() {
    const meta = document.querySelector('meta[name="nanolens-source"]');
    const name = meta ? meta.content : "static";
    const factory = sources.get(name);
    if (!factory) {
      throw new Error("unknown data source '" + name + "'");
    }
    return factory();
  }

  /*
   * The static source: browsers refuse fetch() of file:// URLs but run <script src> from the same directory,
   * so each data file calls window.nanolensData(key, payload) and this source resolves the promise
   * waiting for that key.
   */
  function staticSource(base) {
    const waiting = new Map();
    const loads = new Map();
    window.nanolensData = (key, payload) => {
      const pending = waiting.get(key);
      if (pending) {
        waiting.delete(key);
        pending.resolve(payload);
      }
    };
    function load(key, file) {
      if (!loads.has(key)) {
        loads.set(key, new Promise((resolve, reject) => {
          waiting.set(key, { resolve, reject });
          const script = document.createElement("script");
          script.src = base + file;
          script.onload = () => {
            if (waiting.delete(key)) {
              reject(new Error(base + file + " holds no data for '" + key + "'"));
            }
          };
          script.onerror = () => {
            waiting.delete(key);
            reject(new Error("cannot load " + base + file));
          };
          document.head.appendChild(script);
        }));
      }
      return loads.get(key);
    }
    return {
      atlas: () => load("atlas", "atlas.js"),
      feature: async (index) => {
        const layout = await load("layout", "layout.js");
        const shard = Math.floor(index / layout.features_per_shard);
        const data = await load("features/" + shard, "features/" + shard + ".js");
        return data.features.find((card) => card.index === index) || null;
      },
    };
  }

  registerSource("static", () => staticSource("data/"));

  /** An element with attributes (set as attribute text) and children (strings become text nodes). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, String(value));
    }
    for (const child of children) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** An SVG element with numeric or text attributes. */
  function svg(tag, attrs) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, String(value));
    }
    return node;
  }

  /** A number with four significant digits, without trailing zeros. */
  function num(value) {
    if (value === 0 || !Number.isFinite(value)) {
      return String(value);
    }
    return String(Number(value.toPrecision(4)));
  }

  /** A density (fraction of tokens) as a percentage. */
  function percent(density) {
    return num(density * 100) + "%";
  }

  /** A feature's page, from its index; only a number ever reaches the URL. */
  function featureHref(index) {
    return "feature.html?f=" + Number(index);
  }

  /** The position of a feature in the atlas's increasing index column, or -1. */
  function rowOf(atlas, index) {
    const column = atlas.columns.index;
    let lo = 0;
    let hi = column.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (column[mid] === index) {
        return mid;
      }
      if (column[mid] < index) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }

  /** The atlas header as a line of facts. */
  function atlasFacts(atlas) {
    return el("p", { class: "facts" },
      "model ", el("b", {}, atlas.model_name),
      " · hook ", el("b", {}, atlas.hook_name),
      " · SAE ", el("b", {}, atlas.sae_name), " (" + atlas.architecture + ", d_sae " + atlas.d_sae + ")",
      " · " + atlas.tokens_analysed.toLocaleString("en") + " tokens analysed");
  }

  function showError(error) {
    const box = document.getElementById("error");
    box.textContent = "The explorer could not load its data: " + (error && error.message ? error.message : error);
    box.hidden = false;
  }

  return { registerSource, openSource, el, svg, num, percent, featureHref, rowOf, atlasFacts, showError };
})();
