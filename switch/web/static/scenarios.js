// The scenario player: lists the hub's shipped scenarios and runs one
// (POST /v1/scenarios/{name}/run), showing its narration as it plays while
// its messages appear in the live flow.

import { ApiError, api } from "./api.js";
import { h, clear } from "./dom.js";

export async function loadScenarios(root) {
  clear(root).append(h("p", { class: "hint" }, "Looking for scenarios…"));
  let listing;
  try {
    listing = await api("/v1/scenarios");
  } catch (err) {
    const missing = err instanceof ApiError && (err.status === 404 || err.status === 405);
    clear(root).append(h("div", { class: "not-done", dataset: { scenarios: "unavailable" } },
      h("h3", {}, "Not available in this hub yet"),
      h("p", {}, "Scenarios come from ", h("code", {}, "switch sim scenario FILE"),
        ": run one in a terminal against this hub and its messages appear in the live flow as they are sent."),
      missing ? null : h("p", { class: "error" }, `The hub answered: ${err.message}`)));
    return;
  }
  const items = Array.isArray(listing) ? listing : listing?.scenarios ?? [];
  clear(root).append(
    h("p", { class: "hint" }, "Shipped scenarios: Run plays one through this hub and its messages appear in the live flow (or use ",
      h("code", {}, "switch sim scenario FILE"), " in a terminal)."),
    h("label", {}, "Seconds between steps ", pace),
    h("ul", { class: "scenario-list" }, items.map((s) =>
      h("li", { dataset: { scenario: s.name ?? s.id ?? "" } },
        h("strong", {}, s.title ?? s.name ?? s.id ?? "scenario"),
        " ",
        h("button", { type: "button", class: "run-scenario", onclick: () => runScenario(s.name, narration) }, "Run"),
        s.description ? h("p", { class: "hint" }, s.description) : null))),
    narration);
}

const narration = h("div", { class: "scenario-narration", "aria-live": "polite" });
const pace = h("input", { id: "scenario-pace", type: "number", min: "0", max: "10", step: "0.5", value: "1.5" });

const POLL_MS = 400;

async function runScenario(name, box) {
  clear(box).append(h("p", { class: "hint" }, `Starting ${name}…`));
  let run;
  try {
    const seconds = Number(pace.value) >= 0 ? Number(pace.value) : 1.5;
    run = await api(`/v1/scenarios/${encodeURIComponent(name)}/run?pace=${seconds}`, { method: "POST" });
  } catch (err) {
    clear(box).append(h("p", { class: "error" }, `Could not start ${name}: ${err.message}`));
    return;
  }
  const url = run.url ?? `/v1/scenarios/runs/${run.id}`;
  for (;;) {
    let state;
    try {
      state = await api(url);
    } catch (err) {
      box.append(h("p", { class: "error" }, `Lost the run: ${err.message}`));
      return;
    }
    const verdict = state.status === "running" ? `playing step ${state.played} of ${state.steps}`
      : state.status === "passed" ? "✓ passed: every expected outcome happened"
      : `✗ ${state.status}: ${state.failure ?? "an expected outcome did not happen"}`;
    clear(box).append(
      h("h3", { dataset: { status: state.status } }, `${name} — ${verdict}`),
      h("ol", { class: "narration-lines" }, (state.lines ?? []).map((line) =>
        h("li", { class: `line-${line.kind ?? "info"}` }, line.text))));
    if (state.status !== "running") return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
