// The scenario player: lists the hub's shipped scenarios and runs one
// (POST /v1/scenarios/{name}/run). Each step is a card numbered once, as the
// hub numbers it (1, 2, 3…: a narration and what it plays), its flows under
// it, the running step highlighted; its messages appear in the live flow.
// Present opens presenter mode (presenter.js): one step per key press.

import { ApiError, api } from "./api.js";
import { h, clear } from "./dom.js";

const POLL_MS = 400;

/** The list of shipped scenarios, each with Run and Present. */
export async function loadScenarios(root, { onPresent } = {}) {
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
    h("p", { class: "hint" }, "Shipped scenarios: Run plays one through this hub and its messages appear in the live flow; ",
      "Present steps through it one flow at a time (space or → for the next, ← to replay the last). Or use ",
      h("code", {}, "switch sim scenario FILE"), " in a terminal."),
    h("label", { class: "pace" }, "Seconds between steps ", pace),
    h("ul", { class: "scenario-list" }, items.map((s) =>
      h("li", { dataset: { scenario: s.name ?? s.id ?? "" } },
        h("strong", {}, s.title ?? s.name ?? s.id ?? "scenario"),
        h("span", { class: "hint" }, ` · ${s.steps} steps `),
        h("button", { type: "button", class: "run-scenario", onclick: () => runScenario(s.name, narration) }, "Run"),
        " ",
        onPresent ? h("button", { type: "button", class: "present-scenario", onclick: (e) => onPresent(s, e.currentTarget) }, "▶ Present") : null,
        s.description ? h("p", { class: "hint" }, s.description) : null))),
    narration);
}

const narration = h("div", { class: "scenario-narration", "aria-live": "polite" });
const pace = h("input", { id: "scenario-pace", type: "number", min: "0", max: "10", step: "0.5", value: "1.5" });

/** The step a run is on: the last begun while it runs, none once it ended. */
export function runningStep(state) {
  return state.status === "running" ? state.played : 0;
}

/** One card per step, its flow lines under it. */
export function stepCards(state) {
  const total = state.steps;
  const current = runningStep(state);
  const byStep = new Map();
  for (const line of state.lines ?? []) {
    if (line.step == null || line.kind === "narrate" || line.kind === "title") continue;
    byStep.set(line.step, [...(byStep.get(line.step) ?? []), line]);
  }
  return h("ol", { class: "script", "aria-label": `${state.name}: ${total} steps` }, (state.script ?? []).map((step) => {
    const lines = byStep.get(step.number) ?? [];
    const played = step.number <= state.played;
    const running = step.number === current;
    const failed = lines.some((l) => l.kind === "fail");
    const classes = ["script-step", played ? "played" : "ahead", running ? "running" : "", failed ? "failed" : ""];
    return h("li", {
      class: classes.filter(Boolean).join(" "),
      dataset: { step: step.number },
      "aria-current": running ? "step" : null,
    },
    h("div", { class: "step-head" },
      h("span", { class: "step-no" }, `Step ${step.number} of ${total}`),
      running ? h("span", { class: "now" }, "▶ playing") : played ? h("span", { class: "done" }, failed ? "✗ failed" : "✓ played") : null),
    h("p", { class: "step-title" }, step.title),
    lines.length ? h("ul", { class: "step-lines" }, lines.map((line) =>
      h("li", { class: `line-${line.kind ?? "info"}` }, line.text))) : null);
  }));
}

export function runVerdict(state) {
  if (state.status === "running") return `playing step ${state.played} of ${state.steps}`;
  if (state.status === "passed") return "✓ passed: every expected outcome happened";
  if (state.status === "stopped") return `stopped after step ${state.played} of ${state.steps}`;
  return `✗ ${state.status}: ${state.failure ?? "an expected outcome did not happen"}`;
}

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
    clear(box).append(
      h("h3", { dataset: { status: state.status } }, `${name} — ${runVerdict(state)}`),
      stepCards(state));
    if (state.status !== "running") return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
