"use strict";
/*
 * The feature table of index.html: sort by a column (click its header; again to reverse), filter by search text,
 * density, max activation, concept and F1, and show one page of rows at a time, so 16k features render as fast
 * as 100. The state lives in the URL's hash, so going back from a feature page restores the view.
 */
(() => {
  const { el, num, percent, featureHref } = Nanolens;
  const PAGE_SIZE = 100;
  /** Columns whose first click sorts the largest values first. */
  const DESCENDING_FIRST = new Set(["density", "max_activation", "f1"]);
  const FILTER_IDS = ["search", "density-min", "density-max", "activation-min", "activation-max", "concept", "f1-min"];

  const state = { key: "index", descending: false, page: 0 };
  let table = null;
  let order = null;

  /** The atlas columns as typed arrays, with lower-case labels for searching. */
  function tableOf(atlas) {
    const c = atlas.columns;
    return {
      n: c.index.length,
      index: Int32Array.from(c.index),
      label: c.label,
      lowerLabel: c.label.map((label) => label.toLowerCase()),
      density: Float64Array.from(c.density),
      max_activation: Float64Array.from(c.max_activation),
      concept: Int32Array.from(c.concept),
      f1: Float64Array.from(c.f1),
      conceptNames: atlas.concept_names,
      lowerConcept: atlas.concept_names.map((name) => name.toLowerCase()),
    };
  }

  function compareText(x, y) {
    return x < y ? -1 : x > y ? 1 : 0;
  }

  function comparator(key) {
    if (key === "label") {
      return (a, b) => compareText(table.lowerLabel[a], table.lowerLabel[b]);
    }
    if (key === "concept") {
      const name = (r) => (table.concept[r] < 0 ? "\uffff" : table.lowerConcept[table.concept[r]]);
      return (a, b) => compareText(name(a), name(b));
    }
    const values = table[key];
    return (a, b) => values[a] - values[b];
  }

  /** Row numbers in the current sort order; ties keep feature order. */
  function sortRows() {
    const compare = comparator(state.key);
    const sign = state.descending ? -1 : 1;
    order = new Int32Array(table.n).map((_, i) => i);
    order.sort((a, b) => sign * compare(a, b) || a - b);
  }

  function numberInput(id) {
    const text = document.getElementById(id).value.trim();
    const value = text === "" ? NaN : Number(text);
    return Number.isFinite(value) ? value : null;
  }

  function filters() {
    const query = document.getElementById("search").value.trim().toLowerCase();
    const digits = /^#?\d+$/.test(query) ? Number(query.replace("#", "")) : -1;
    const conceptChoice = document.getElementById("concept").value;
    return {
      query, digits,
      concept: conceptChoice === "" ? null : Number(conceptChoice),
      densityMin: numberInput("density-min"), densityMax: numberInput("density-max"),
      activationMin: numberInput("activation-min"), activationMax: numberInput("activation-max"),
      f1Min: numberInput("f1-min"),
    };
  }

  function inRange(value, min, max) {
    return (min === null || value >= min) && (max === null || value <= max);
  }

  function matches(r, f) {
    if (!inRange(table.density[r] * 100, f.densityMin, f.densityMax)
        || !inRange(table.max_activation[r], f.activationMin, f.activationMax)
        || (f.concept !== null && table.concept[r] !== f.concept)
        || (f.f1Min !== null && !(table.concept[r] >= 0 && table.f1[r] >= f.f1Min))) {
      return false;
    }
    if (f.query === "") {
      return true;
    }
    const c = table.concept[r];
    return table.index[r] === f.digits || table.lowerLabel[r].includes(f.query)
      || (c >= 0 && table.lowerConcept[c].includes(f.query));
  }

  function row(r) {
    const c = table.concept[r];
    return el("tr", { "data-index": table.index[r] },
      el("td", { class: "num" }, el("a", { href: featureHref(table.index[r]) }, "#" + table.index[r])),
      el("td", { class: "label" }, table.label[r]),
      el("td", { class: "num", title: String(table.density[r]) }, percent(table.density[r])),
      el("td", { class: "num" }, num(table.max_activation[r])),
      el("td", {}, c < 0 ? "—" : table.conceptNames[c]),
      el("td", { class: "num" }, c < 0 ? "—" : table.f1[r].toFixed(3)));
  }

  function render() {
    const f = filters();
    const shown = [];
    for (const r of order) {
      if (matches(r, f)) {
        shown.push(r);
      }
    }
    const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    const first = state.page * PAGE_SIZE;
    const rows = shown.slice(first, first + PAGE_SIZE).map(row);
    document.querySelector("#features tbody").replaceChildren(...rows);
    const summary = document.getElementById("summary");
    summary.textContent = shown.length === table.n
      ? table.n.toLocaleString("en") + " features"
      : shown.length.toLocaleString("en") + " of " + table.n.toLocaleString("en") + " features match";
    summary.dataset.matches = String(shown.length);
    document.getElementById("page").textContent = shown.length === 0 ? ""
      : "rows " + (first + 1) + "–" + (first + rows.length) + " · page " + (state.page + 1) + " of " + pages;
    document.getElementById("prev-page").disabled = state.page === 0;
    document.getElementById("next-page").disabled = state.page >= pages - 1;
    for (const button of document.querySelectorAll("th button")) {
      const sorted = button.dataset.key === state.key;
      button.parentElement.setAttribute("aria-sort", sorted ? (state.descending ? "descending" : "ascending") : "none");
    }
    saveState();
  }

  function saveState() {
    const params = new URLSearchParams();
    params.set("sort", state.key);
    params.set("order", state.descending ? "desc" : "asc");
    params.set("page", String(state.page + 1));
    for (const id of FILTER_IDS) {
      const value = document.getElementById(id).value;
      if (value !== "") {
        params.set(id, value);
      }
    }
    history.replaceState(null, "", "#" + params.toString());
  }

  function restoreState() {
    const params = new URLSearchParams(location.hash.slice(1));
    const key = params.get("sort");
    if (key && document.querySelector('th button[data-key="' + CSS.escape(key) + '"]')) {
      state.key = key;
    }
    state.descending = params.get("order") === "desc";
    state.page = Math.max(0, (Number.parseInt(params.get("page"), 10) || 1) - 1);
    for (const id of FILTER_IDS) {
      if (params.has(id)) {
        document.getElementById(id).value = params.get(id);
      }
    }
  }

  function fillConcepts() {
    const select = document.getElementById("concept");
    table.conceptNames.forEach((name, c) => select.append(el("option", { value: c }, name)));
    select.disabled = table.conceptNames.length === 0;
  }

  function listen() {
    const form = document.getElementById("filters");
    form.addEventListener("input", () => {
      state.page = 0;
      render();
    });
    form.addEventListener("submit", (event) => event.preventDefault());
    form.addEventListener("reset", () => setTimeout(() => {
      state.page = 0;
      render();
    }));
    for (const button of document.querySelectorAll("th button")) {
      button.addEventListener("click", () => {
        const key = button.dataset.key;
        state.descending = key === state.key ? !state.descending : DESCENDING_FIRST.has(key);
        state.key = key;
        state.page = 0;
        sortRows();
        render();
      });
    }
    document.getElementById("prev-page").addEventListener("click", () => {
      state.page -= 1;
      render();
    });
    document.getElementById("next-page").addEventListener("click", () => {
      state.page += 1;
      render();
    });
  }

  async function main() {
    const atlas = await Nanolens.openSource().atlas();
    table = tableOf(atlas);
    document.getElementById("facts").replaceChildren(Nanolens.atlasFacts(atlas));
    fillConcepts();
    restoreState();
    sortRows();
    render();
    listen();
    window.nanolensLoadMs = performance.now();
    document.body.dataset.ready = "true";
  }

  main().catch((error) => {
    Nanolens.showError(error);
    document.body.dataset.ready = "error";
  });
})();
