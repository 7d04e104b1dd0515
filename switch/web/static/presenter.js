// Presenter mode: a scenario played one step at a time in front of a room.
// Next (space, →, Page Down: what a clicker sends) lets the hub play the
// next step and shows its flow hop by hop (agency → hub → policy → state →
// reply) with the narration as its caption; Back (←, Page Up) replays the
// previous flow. Why? explains the decision in plain words. Escape closes
// the explanation, then presenter mode (the run is stopped).

import { api, currentKey } from "./api.js";
import { h, clear, parseMessage } from "./dom.js";
import { explainFor } from "./detail.js";
import { card, decided, isState } from "./flow.js";
import { renderTrace } from "./trace.js";

const HOP_MS = 380; // five hops: about two seconds a flow
const POLL_MS = 150;
const NEXT_KEYS = new Set([" ", "ArrowRight", "PageDown"]);
const BACK_KEYS = new Set(["ArrowLeft", "PageUp"]);

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const still = () => matchMedia("(prefers-reduced-motion: reduce)").matches;

export class Presenter {
  /** `dialog`: the <dialog> to present in; `flow`: the live flow, whose
   *  events the steps' messages are found among. */
  constructor({ dialog, flow }) {
    this.dialog = dialog;
    this.flow = flow;
    this.run = null;
    this.shown = [];
    this.index = -1;
    this.busy = false;
    this.token = 0;
    this.opener = null;
    const $ = (sel) => dialog.querySelector(sel);
    this.title = $(".pr-title");
    this.progress = $(".pr-progress");
    this.stage = $(".pr-stage");
    this.caption = $(".pr-caption");
    this.why = $(".pr-why");
    this.status = $(".pr-status");
    this.nextButton = $(".pr-next");
    this.backButton = $(".pr-back");
    this.whyButton = $(".pr-why-button");
    this.nextButton.addEventListener("click", () => this.next());
    this.backButton.addEventListener("click", () => this.back());
    this.whyButton.addEventListener("click", () => this.toggleWhy());
    $(".pr-close").addEventListener("click", () => this.close());
    dialog.addEventListener("keydown", (e) => this.#key(e));
    // A presenter's run waits for its Next: leaving the page ends it.
    addEventListener("pagehide", () => {
      if (this.run?.state?.status === "running") {
        fetch(`${this.run.url}/stop`, { method: "POST", keepalive: true, headers: { Authorization: `Bearer ${currentKey() ?? ""}` } });
      }
    });
    dialog.addEventListener("cancel", (e) => {
      // Escape: the explanation first, then presenter mode itself.
      e.preventDefault();
      if (!this.why.hidden) this.toggleWhy(false);
      else this.close();
    });
  }

  #key(e) {
    if (e.target.closest("input, select, textarea")) return;
    if (NEXT_KEYS.has(e.key)) {
      e.preventDefault();
      this.next();
    } else if (BACK_KEYS.has(e.key)) {
      e.preventDefault();
      this.back();
    }
  }

  async open(scenario, opener) {
    this.opener = opener ?? null;
    this.shown = [];
    this.index = -1;
    this.title.textContent = scenario.title ?? scenario.name;
    clear(this.stage).append(h("p", { class: "pr-hint" }, "Press space or → to play step 1."));
    this.caption.textContent = "";
    this.toggleWhy(false);
    this.whyButton.disabled = true;
    this.backButton.disabled = true;
    this.dialog.showModal();
    this.nextButton.focus();
    this.#say(`Starting ${scenario.name}…`);
    try {
      const started = await api(`/v1/scenarios/${encodeURIComponent(scenario.name)}/run?pace=0&presenter=true`, { method: "POST" });
      this.run = { url: started.url ?? `/v1/scenarios/runs/${started.id}`, state: await api(started.url) };
      this.#progress();
      this.#say(`Ready: ${this.run.state.steps} steps.`);
    } catch (err) {
      this.#say(`Could not start ${scenario.name}: ${err.message}`, true);
    }
  }

  async close() {
    this.token += 1;
    const run = this.run;
    this.run = null;
    if (this.dialog.open) this.dialog.close();
    if (run && run.state?.status === "running") {
      try { await api(`${run.url}/stop`, { method: "POST" }); } catch { /* the hub may be gone */ }
    }
    this.opener?.focus();
  }

  /** The next step: shown again if Back went behind it, else played by the hub. */
  async next() {
    if (this.busy || !this.run) return;
    if (this.index < this.shown.length - 1) {
      this.index += 1;
      await this.#show(this.shown[this.index]);
      return;
    }
    const state = this.run.state;
    if (state.released >= state.steps || state.status !== "running") {
      this.#say(state.status === "running" || state.status === "passed"
        ? "That was the last step. Escape closes presenter mode." : `The run ${state.status}: ${state.failure ?? ""}`);
      return;
    }
    // Busy while the hub plays the step; its animation may be cut short by the next key.
    this.busy = true;
    let played;
    try {
      const number = state.released + 1;
      this.#say(`Playing step ${number}…`);
      await api(`${this.run.url}/next`, { method: "POST" });
      played = await this.#played(number);
      this.shown.push(played);
      this.index = this.shown.length - 1;
    } catch (err) {
      this.#say(`Step not played: ${err.message}`, true);
      return;
    } finally {
      this.busy = false;
    }
    await this.#show(played);
  }

  /** Back: the previous flow, replayed (nothing is sent again). */
  async back() {
    if (this.busy || this.index < 0) return;
    if (this.index > 0) this.index -= 1;
    await this.#show(this.shown[this.index]);
  }

  /** Wait until the hub has played step `number` and its cards are on the page. */
  async #played(number) {
    const token = this.token;
    for (;;) {
      if (token !== this.token) throw new Error("presenter mode closed");
      const state = await api(this.run.url);
      this.run.state = state;
      this.#progress();
      const step = state.script[number - 1];
      const lines = state.lines.filter((l) => l.step === number);
      const ids = [...new Set(lines.map((l) => l.message).filter(Boolean))];
      const settled = state.status !== "running" || state.played > number
        || (ids.length >= step.sends && lines.some((l) => l.kind !== "narrate" && l.kind !== "send"))
        || (step.sends === 0 && lines.length > 0 && state.played >= number);
      if (settled) {
        const events = ids.map((id) => this.flow.find(id)?.event).filter(Boolean);
        if (events.length >= ids.length || state.status !== "running") return { step, lines, ids, events };
      }
      await wait(POLL_MS);
    }
  }

  async #show(played) {
    const token = ++this.token;
    const { step, lines, ids } = played;
    // Events that came after the step was first shown (a slow stream) are found again.
    const events = ids.map((id) => this.flow.find(id)?.event).filter(Boolean);
    played.events = events.length ? events : played.events;
    this.toggleWhy(false);
    this.#progress(step.number);
    this.caption.textContent = step.narration ?? step.title;
    const cards = played.events.map((event) => card(event, step.number, parseMessage(event.text)));
    cards.forEach((c) => { c.classList.remove("fresh"); c.classList.add("presenting"); c.removeAttribute("tabindex"); });
    const others = lines.filter((l) => ["fault", "pause", "fail"].includes(l.kind));
    clear(this.stage).append(...[cards.length ? h("ol", { class: "flows pr-flows", "aria-label": `Step ${step.number}'s messages` }, cards) : null,
      others.length ? h("ul", { class: "pr-lines" }, others.map((l) => h("li", { class: `line-${l.kind}` }, l.text))) : null,
      cards.length || others.length ? null : h("p", { class: "pr-hint" }, "No message in this step.")].filter(Boolean));
    this.stage.dataset.step = String(step.number);
    this.whyButton.disabled = !played.events.some(explainable);
    this.backButton.disabled = this.index <= 0;
    this.#say(`Step ${step.number} of ${this.run?.state.steps ?? "?"}${lines.some((l) => l.kind === "fail") ? ": failed" : ""}.`);
    await this.#animate(token);
  }

  /** Slow motion: each hop lit in turn. */
  async #animate(token) {
    const last = 5;
    this.stage.dataset.playing = "true";
    for (let hop = 1; hop <= last; hop += 1) {
      if (token !== this.token) return;
      this.stage.dataset.hop = String(hop);
      if (!still()) await wait(HOP_MS); // the last wait lets the reply fade in
    }
    if (token === this.token) delete this.stage.dataset.playing;
  }

  async toggleWhy(open = this.why.hidden) {
    this.why.hidden = !open;
    this.whyButton.setAttribute("aria-expanded", String(open));
    if (!open) { clear(this.why); return; }
    const played = this.shown[this.index];
    const event = played?.events.find(explainable);
    if (!event) { this.why.hidden = true; return; }
    const result = event.results.find((r) => r.decision === "deny" && isState(r.destination))
      ?? event.results.find((r) => decided(r) && isState(r.destination));
    clear(this.why).append(h("h3", { tabindex: "-1" }, `Why: ${result.destination}'s policy`),
      h("p", { class: "hint" }, "Asking the policy to explain…"));
    this.why.querySelector("h3").focus();
    try {
      const trace = await explainFor(event, result.destination);
      if (this.why.hidden) return;
      this.why.querySelector(".hint")?.remove();
      this.why.append(renderTrace(trace));
    } catch (err) {
      this.why.append(h("p", { class: "error" }, `Could not explain: ${err.message}`));
    }
  }

  #progress(current) {
    const state = this.run?.state;
    if (!state) return;
    const at = current ?? this.shown[this.index]?.step.number ?? 0;
    clear(this.progress).append(h("span", { class: "pr-count" }, at ? `Step ${at} of ${state.steps}` : `${state.steps} steps`),
      h("ol", { class: "pr-dots", "aria-hidden": "true" }, state.script.map((s) =>
        h("li", { class: s.number === at ? "at" : s.number <= state.released ? "done" : "" }, String(s.number)))));
  }

  #say(text, error = false) {
    this.status.textContent = text;
    this.status.classList.toggle("error", error);
  }
}

function explainable(event) {
  return (event.results ?? []).some((r) => decided(r) && isState(r.destination) && r.policy_version !== "none");
}
