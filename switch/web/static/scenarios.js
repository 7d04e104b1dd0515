// The scenario player. Scenarios are YAML files played by `switch sim
// scenario FILE`; the page lists and runs them only where the hub serves
// GET /v1/scenarios. Until then it says so plainly rather than pretend.

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
    h("p", { class: "hint" }, "Shipped scenarios. Play one with ", h("code", {}, "switch sim scenario FILE"),
      "; its messages appear in the live flow."),
    h("ul", { class: "scenario-list" }, items.map((s) =>
      h("li", { dataset: { scenario: s.name ?? s.id ?? "" } },
        h("strong", {}, s.title ?? s.name ?? s.id ?? "scenario"),
        s.description ? h("p", { class: "hint" }, s.description) : null))));
}
