"use strict";
/*
 * The steering playground: POST /api/generate continues the prompt twice from the same seed, without and with
 * the chosen feature edits, and shows both side by side. ?f=N in the URL preselects feature N. Generated text
 * reaches the page only as text.
 */
(() => {
  const { el, showError } = Nanolens;
  const MODES = ["clamp", "add", "scale", "ablate"];

  function editRow(feature, mode, strength) {
    const select = el("select", { class: "edit-mode", "aria-label": "mode" },
      ...MODES.map((m) => el("option", { value: m }, m)));
    select.value = mode;
    const row = el("div", { class: "edit" },
      el("label", {}, "#", el("input", { class: "edit-feature", type: "number", min: "0", value: feature,
        "aria-label": "feature" })),
      select,
      el("input", { class: "edit-strength", type: "number", step: "any", value: strength, "aria-label": "strength" }),
      el("button", { type: "button", class: "edit-remove" }, "remove"));
    row.querySelector(".edit-remove").addEventListener("click", () => row.remove());
    document.getElementById("edits").append(row);
  }

  function edits() {
    return [...document.querySelectorAll("#edits .edit")].map((row) => ({
      feature: Number(row.querySelector(".edit-feature").value),
      mode: row.querySelector(".edit-mode").value,
      strength: Number(row.querySelector(".edit-strength").value),
    }));
  }

  async function run(event) {
    event.preventDefault();
    const status = document.getElementById("status");
    document.getElementById("error").hidden = true;
    status.textContent = "generating…";
    try {
      const response = await fetch("api/generate", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          prompt: document.getElementById("prompt").value,
          max_tokens: Number(document.getElementById("max-tokens").value),
          temperature: Number(document.getElementById("temperature").value),
          seed: Number(document.getElementById("seed").value),
          edits: edits(),
        }),
      });
      const body = await response.json();
      if (!response.ok) {
        throw new Error(body.error || ("the server answered " + response.status));
      }
      document.getElementById("plain").textContent = body.plain;
      document.getElementById("steered").textContent = body.steered;
      status.textContent = "done";
    } catch (error) {
      status.textContent = "";
      showError(error);
    }
  }

  async function init() {
    const info = await (await fetch("api/info")).json();
    document.getElementById("facts").replaceChildren(el("p", { class: "facts" }, "model ", el("b", {}, info.model),
      " · SAE ", el("b", {}, info.sae), " at ", el("b", {}, info.hook), " · features 0–" + (info.features - 1)
      + " · edits keep the SAE's error term"));
    document.getElementById("max-tokens").max = info.max_new_tokens;
  }

  const preset = new URLSearchParams(location.search).get("f");
  editRow(preset !== null && /^\d+$/.test(preset) ? Number(preset) : 0, "clamp", 8);
  document.getElementById("add-edit").addEventListener("click", () => editRow(0, "clamp", 8));
  document.getElementById("steer-form").addEventListener("submit", run);
  init().catch(showError);
})();
