"use strict";
/*
 * One feature's page, feature.html?f=N: label and statistics, top activating contexts and quantile samples with
 * every token shaded by its activation (the tooltip gives the value), the activation histogram as inline SVG, the
 * logit effects, and the nearest features by decoder cosine, linked.
 */
(() => {
  const { el, svg, num, percent, featureHref } = Nanolens;
  const HISTOGRAM = { width: 640, height: 180, left: 48, right: 12, top: 12, bottom: 28 };

  /** A token as shown: line breaks and tabs become visible marks so the line of tokens keeps its shape. */
  function shown(token) {
    return token.replace(/\n/g, "↵").replace(/\t/g, "→");
  }

  /** Orange with opacity value / scale, clamped to [0, 1]. */
  function shade(value, scale) {
    const alpha = scale > 0 ? Math.min(1, Math.max(0, value / scale)) : 0;
    return "rgba(255, 140, 0, " + alpha.toFixed(3) + ")";
  }

  function contextView(context, scale) {
    const line = el("div", { class: "context" });
    context.tokens.forEach((token, i) => {
      const value = context.values[i];
      const span = el("span", { class: i === context.peak ? "tok peak" : "tok", title: "activation " + num(value),
        "data-value": value }, shown(token));
      span.style.backgroundColor = shade(value, scale);
      line.append(span);
    });
    return line;
  }

  function section(title, id, ...content) {
    return el("section", { id }, el("h3", {}, title), ...content);
  }

  function stats(card, conceptCount) {
    const list = el("dl", { class: "stats" },
      el("dt", {}, "Density"), el("dd", { title: String(card.density) }, percent(card.density)),
      el("dt", {}, "Max activation"), el("dd", {}, num(card.max_activation)));
    const match = card.best_concept;
    if (match) {
      list.append(el("dt", {}, "Best concept"), el("dd", {}, el("b", {}, match.concept),
        " F1 " + match.f1.toFixed(3) + " (precision " + match.precision.toFixed(3)
        + ", recall " + match.recall.toFixed(3) + ")"));
    } else if (conceptCount > 0) {
      list.append(el("dt", {}, "Best concept"), el("dd", {}, "none"));
    }
    return list;
  }

  function contexts(list, scale) {
    if (list.length === 0) {
      return el("p", { class: "empty" }, "none");
    }
    return el("div", { class: "contexts" }, ...list.map((context) => contextView(context, scale)));
  }

  function quantiles(groups, scale) {
    if (groups.length === 0) {
      return [el("p", { class: "empty" }, "none")];
    }
    return groups.map((group) => el("div", { class: "quantile" },
      el("h4", {}, num(group.low) + " – " + num(group.high),
        el("span", { class: "muted" }, " · " + percent(group.fraction) + " of activations")),
      contexts(group.contexts, scale)));
  }

  function histogram(hist) {
    const { edges, counts } = hist;
    if (counts.length === 0) {
      return el("p", { class: "empty" }, "never fired");
    }
    const h = HISTOGRAM;
    const plotWidth = h.width - h.left - h.right;
    const plotHeight = h.height - h.top - h.bottom;
    const lo = edges[0];
    const span = edges[edges.length - 1] - lo;
    const most = Math.max(1, ...counts);
    const x = (value) => h.left + (value - lo) / span * plotWidth;
    const chart = svg("svg", { class: "histogram", viewBox: "0 0 " + h.width + " " + h.height,
      width: h.width, height: h.height, role: "img" });
    counts.forEach((count, i) => {
      const barHeight = count / most * plotHeight;
      const bar = svg("rect", { x: x(edges[i]), y: h.top + plotHeight - barHeight,
        width: Math.max(0.5, x(edges[i + 1]) - x(edges[i]) - 0.5), height: barHeight, class: "bar" });
      const tip = svg("title");
      tip.textContent = num(edges[i]) + " – " + num(edges[i + 1]) + ": " + count;
      bar.append(tip);
      chart.append(bar);
    });
    chart.append(svg("line", { x1: h.left, y1: h.top + plotHeight, x2: h.width - h.right, y2: h.top + plotHeight,
      class: "axis" }));
    const label = (text, attrs) => {
      const node = svg("text", attrs);
      node.textContent = text;
      chart.append(node);
    };
    label(num(lo), { x: h.left, y: h.height - 8, "text-anchor": "start" });
    label(num(edges[edges.length - 1]), { x: h.width - h.right, y: h.height - 8, "text-anchor": "end" });
    label(String(most), { x: h.left - 6, y: h.top + 10, "text-anchor": "end" });
    label("0", { x: h.left - 6, y: h.top + plotHeight, "text-anchor": "end" });
    return chart;
  }

  function effects(title, list, kind) {
    const body = list.map((effect) => el("tr", {},
      el("td", {}, el("code", { class: "tok-text" }, shown(effect.token))),
      el("td", { class: "num " + kind }, num(effect.value))));
    return el("table", { class: "effects" }, el("caption", {}, title),
      el("tbody", {}, ...(body.length > 0 ? body : [el("tr", {}, el("td", {}, "none"))])));
  }

  function neighbours(list, atlas) {
    if (list.length === 0) {
      return el("p", { class: "empty" }, "none");
    }
    return el("ol", { class: "neighbours" }, ...list.map((neighbour) => {
      const r = Nanolens.rowOf(atlas, neighbour.index);
      return el("li", {}, el("a", { href: featureHref(neighbour.index) }, "#" + neighbour.index),
        " ", el("span", { class: "label" }, r >= 0 ? atlas.columns.label[r] : ""),
        el("span", { class: "muted" }, " · cosine " + num(neighbour.cosine)));
    }));
  }

  function card(card, atlas) {
    const scale = card.max_activation > 0 ? card.max_activation
      : Math.max(0, ...card.top_contexts.flatMap((context) => context.values));
    return [
      el("h2", {}, "Feature #" + card.index, " ", el("span", { class: "label", id: "label" }, card.label)),
      stats(card, atlas.concept_names.length),
      section("Top activations", "top", contexts(card.top_contexts, scale)),
      section("Activation quantiles", "quantiles", ...quantiles(card.quantiles, scale)),
      section("Activation histogram", "histogram", histogram(card.histogram)),
      section("Logit effects", "logits", el("div", { class: "side-by-side" },
        effects("Promoted", card.promoted, "positive"), effects("Suppressed", card.suppressed, "negative"))),
      section("Nearest features (decoder cosine)", "neighbours", neighbours(card.neighbours, atlas)),
    ];
  }

  /** The first row whose feature index is >= index. */
  function lowerBound(column, index) {
    let lo = 0;
    let hi = column.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (column[mid] < index) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  function linkNeighbours(atlas, index) {
    const column = atlas.columns.index;
    const at = lowerBound(column, index);
    const previous = at - 1;
    const next = at < column.length && column[at] === index ? at + 1 : at;
    const link = (id, row) => {
      const a = document.getElementById(id);
      if (row >= 0 && row < column.length) {
        a.href = featureHref(column[row]);
      } else {
        a.removeAttribute("href");
      }
    };
    link("prev-feature", previous);
    link("next-feature", next);
  }

  async function main() {
    const text = new URLSearchParams(location.search).get("f");
    const index = /^\d+$/.test(text || "") ? Number(text) : NaN;
    const source = Nanolens.openSource();
    const atlas = await source.atlas();
    document.getElementById("facts").replaceChildren(Nanolens.atlasFacts(atlas));
    const page = document.getElementById("feature");
    if (!Number.isSafeInteger(index)) {
      page.replaceChildren(el("p", { class: "empty" }, "No feature given: open feature.html?f=N."));
      return;
    }
    linkNeighbours(atlas, index);
    const found = Nanolens.rowOf(atlas, index) >= 0 ? await source.feature(index) : null;
    if (!found) {
      page.replaceChildren(el("p", { class: "empty" }, "Feature #" + index + " is not in this atlas."));
      return;
    }
    document.title = "#" + found.index + " " + found.label + " · nanolens explorer";
    page.replaceChildren(...card(found, atlas));
  }

  main().then(() => {
    window.nanolensLoadMs = performance.now();
    document.body.dataset.ready = "true";
  }, (error) => {
    Nanolens.showError(error);
    document.body.dataset.ready = "error";
  });
})();
