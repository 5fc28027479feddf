"use strict";
/*
 * The prompt page: POST /api/trace and show each token with its most active features; a feature links to its
 * page. Token text and labels come from the user and the model, so they only ever reach the page as text.
 */
(() => {
  const { el, num, featureHref, showError } = Nanolens;
  const labels = new Map();

  async function loadInfo() {
    const info = await (await fetch("api/info")).json();
    const facts = document.getElementById("facts");
    facts.replaceChildren(el("p", { class: "facts" }, "model ", el("b", {}, info.model), " · hook ",
      el("b", {}, info.hook), " · SAE ", el("b", {}, info.sae), " · at most " + info.max_prompt_tokens + " tokens"));
    if (info.analysis) {
      const atlas = await (await fetch("api/atlas")).json();
      atlas.columns.index.forEach((index, row) => labels.set(index, atlas.columns.label[row]));
    }
  }

  function featureLink(feature) {
    const label = labels.get(feature.index);
    return el("li", {},
      el("a", { href: featureHref(feature.index), class: "feature-link", "data-feature": feature.index },
        "#" + feature.index), " " + num(feature.value) + (label ? " · " + label : ""));
  }

  function render(tokens) {
    const box = document.getElementById("tokens");
    box.replaceChildren(...tokens.map((token, position) =>
      el("div", { class: "trace-token", "data-position": position },
        el("div", { class: "token-text" }, token.text.replace(/\n/g, "⏎")),
        el("ul", { class: "token-features" }, ...token.features.map(featureLink)))));
  }

  async function run(event) {
    event.preventDefault();
    const status = document.getElementById("status");
    document.getElementById("error").hidden = true;
    status.textContent = "running…";
    try {
      const response = await fetch("api/trace", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          prompt: document.getElementById("prompt").value,
          top: Number(document.getElementById("top").value),
        }),
      });
      const body = await response.json();
      if (!response.ok) {
        throw new Error(body.error || ("the server answered " + response.status));
      }
      render(body.tokens);
      status.textContent = body.tokens.length + " tokens";
    } catch (error) {
      status.textContent = "";
      showError(error);
    }
  }

  document.getElementById("prompt-form").addEventListener("submit", run);
  loadInfo().catch(showError);
})();
