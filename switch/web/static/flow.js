// The live flow: one card per message, its path in five lanes
// (agency → hub → state's policy → state switch or DMV → reply), numbered
// steps. A refused query's stop (⊘) is drawn where it was refused (the outcome's
// refused_by): at the policy lane for Nlets, at the state lane for the
// state's own switch or the DMV, each with the ORI that answered.
// The agency's lane names the warrant it cites (its form, kind, signer);
// the policy's lane, the warrant the deciding rule wanted; the reply's, the
// obligations in words. Each hop is marked (data-hop 1–5) for slow motion.

import { h, clear, ms, parseMessage, time } from "./dom.js";

const KEEP = 250; // cards kept on the page; older ones drop off the bottom

const VERDICTS = {
  permit: "✓ PERMITTED",
  deny: "✗ DENIED",
  refused: "⚠ REFUSED",
  mixed: "± SOME DENIED",
  pending: "… ACCEPTED",
  routed: "→ ROUTED",
};

export function isState(destination) {
  return typeof destination === "string" && destination.length === 2;
}

/** permit | deny | refused | mixed | pending | routed: the card's overall colour
 * (routed: every outcome is another state's, withheld from this key). */
export function verdict(event) {
  if (event.error) return "refused";
  const effects = new Set((event.results ?? []).filter(decided).map((r) => r.decision));
  if (event.summary?.denied?.length) effects.add("deny");
  if (event.summary && (event.summary.hit.length || event.summary.no_hit.length)) effects.add("permit");
  if (effects.size === 0) return (event.results ?? []).length ? "routed" : "pending";
  if (effects.size > 1) return "mixed";
  return [...effects][0];
}

/** False for another state's outcome withheld from this key: routed, nothing more. */
export function decided(result) {
  return Boolean(result.decision);
}

// The lanes, left to right: what each hop of a flow is.
const HOPS = ["agency", "hub", "policy", "state", "reply"];

function step(n, cls, ...content) {
  return h("div", { class: `step ${cls}` }, n ? h("span", { class: "n", "aria-label": `step ${n}` }, n) : null, ...content);
}

function idle(text) {
  return h("div", { class: "step idle" }, text);
}

/** Mark each lane of a row with its hop (1 agency … 5 reply). */
function hops(row) {
  [...row.children].forEach((cell, i) => { cell.dataset.hop = String(i + 1); cell.dataset.lane = HOPS[i] ?? ""; });
  return row;
}

const FORMS = {
  warrant: "a judicial warrant",
  "court-order": "a court order",
  subpoena: "a court subpoena",
};

/** "cites I-200 (administrative, signed by an officer)": what the agency's
 *  lane says of a cited warrant, from the registry's facts on the event. */
export function warrantText(warrant, text) {
  const id = warrant?.id ?? parseMessage(text)?.fields?.WRT;
  if (!id) return null;
  if (!warrant?.kind) {
    if (warrant?.level === null) return `cites warrant ${id} (the court registry could not be asked)`;
    return `cites warrant ${id}, which the court registry does not hold`;
  }
  const form = FORMS[warrant.form] ?? warrant.form;
  const signer = warrant.signed_by === "judge" ? "a judge" : "an officer";
  let said = `cites ${form} (${warrant.kind}, signed by ${signer})`;
  if (warrant.level === "cited") said += ": not valid for this query (expired, or for another person or agency)";
  return said;
}

const LEVEL_WORDS = { judicial: "a judicial warrant", administrative: "an administrative warrant" };

/** What the deciding rule wanted of a warrant, said in the policy's lane. */
export function wantedText(result, warrant) {
  const wanted = result.warrant_wanted ?? [];
  if (!wanted.length) return null;
  const levels = wanted.map((w) => LEVEL_WORDS[w] ?? w).join(" or ");
  if (result.decision === "permit") return `given ${levels}, as the rule requires`;
  const given = warrant?.level === "administrative" || warrant?.level === "judicial"
    ? `${warrant.level} given` : warrant ? "none that counts given" : "none cited";
  return `wanted ${levels}; ${given}`;
}

/** The obligations of a release in words (the hub words them). */
export function obligationsText(result) {
  const words = result.obligations_words?.length ? result.obligations_words : result.obligations ?? [];
  return words.length ? words.join("; ") : null;
}

function destinationsText(event, parsed) {
  const dest = parsed?.dest?.length ? parsed.dest : (event.results ?? []).map((r) => r.destination);
  if (dest.length === 1 && dest[0] === "NL") return "NL (every state)";
  return dest.join(", ") || "?";
}

function hit(result) {
  const response = result.response;
  if (!response) return false;
  if (response.fields && Object.keys(response.fields).length) return true;
  return !/NOT ON FILE/.test(response.text ?? "");
}

/** Who sent an output message: the ORI ending its third line. */
export function answeredBy(response) {
  const line = (response?.text ?? "").split("\n")[2] ?? "";
  return line.trim().split(" ").pop() || null;
}

/** A step where the query stopped: `where` is nlets, state-switch or dmv. */
function stop(n, where, ...content) {
  const el = step(n, "deny stop", h("span", { class: "stop-mark", "aria-hidden": "true" }, "⊘ "), ...content);
  el.dataset.stop = where;
  return el;
}

function outcomeRow(event, result, first, lead) {
  const deny = result.decision === "deny";
  const sender = event.ori ?? event.sender?.ori;
  const cells = first ? lead : [h("div", { class: "step blank" }), h("div", { class: "step blank" })];
  if (!decided(result)) {
    return hops(h("div", { class: "lanes outcome withheld", dataset: { destination: result.destination } },
      ...cells, idle(`routed to ${result.destination}`), idle("outside this key's scope"), idle("")));
  }
  const where = deny ? (result.refused_by ?? "nlets") : null;
  const at = String(result.destination).slice(0, 2);
  let policy;
  if (!isState(result.destination) && result.policy_version === "none") {
    policy = idle(`${event.key} is not a query: no state policy applies`);
  } else {
    const wanted = wantedText(result, event.warrant);
    const parts = [h("strong", {}, deny ? "✗ DENY " : "✓ PERMIT "),
      h("span", { class: "rule" }, result.rule ?? "default"),
      h("span", { class: "reason" }, result.reason ?? ""),
      wanted ? h("span", { class: "wanted" }, `⚖ ${wanted}`) : null];
    policy = where === "nlets" ? stop(3, where, ...parts) : step(3, deny ? "deny" : "permit", ...parts);
  }
  let state;
  let reply;
  const response = result.response;
  if (deny) {
    const from = answeredBy(response) ?? "NL0000000";
    if (where === "state-switch") {
      state = stop(4, where, h("strong", {}, `stopped at ${at}'s switch `), h("span", { class: "rule" }, from),
        h("span", { class: "reason" }, `refused there; ${at} DMV not asked`));
    } else if (where === "dmv") {
      state = stop(4, where, h("strong", {}, `${at} DMV refuses `), h("span", { class: "rule" }, from),
        h("span", { class: "reason" }, "in its own words; no record released"));
    } else {
      state = idle(`${result.destination} DMV not asked`);
    }
    const key = response?.key === "ER" ? "ER .02." : (response?.key ?? "ER .02.");
    reply = step(where === "nlets" ? 4 : 5, "deny", h("strong", {}, `${key} to ${sender}`), ` from ${from} `,
      h("span", { class: "ms" }, ms(result.latency_ms)));
  } else if (result.status === "answered") {
    const found = hit(result);
    state = step(4, "permit", `${result.destination} DMV answers: `, h("strong", {}, found ? "record found" : "NOT ON FILE"),
      result.redacted?.length ? h("span", { class: "reason" }, `withheld: ${result.redacted.join(", ")}`) : null);
    const owed = obligationsText(result);
    reply = step(5, "permit", h("strong", {}, `${response?.key ?? "reply"} to ${sender} `),
      h("span", { class: "ms" }, ms(result.latency_ms)),
      owed ? h("span", { class: "reason obligations" }, `then: ${owed}`) : null);
  } else if (result.status === "delivered") {
    state = step(4, "permit", `delivered to the mailbox of ${result.destination}`);
    reply = step(5, "permit", h("strong", {}, "delivered"));
  } else {
    const why = result.status === "no_response" ? "no answer in time" : result.status.replace(/_/g, " ");
    state = step(4, "refused", `${result.destination} DMV: `, h("strong", {}, why));
    reply = step(5, "refused", response ? `${response.key} to ${sender}` : "nothing to return", " ",
      h("span", { class: "ms" }, ms(result.latency_ms)));
  }
  return hops(h("div", { class: `lanes outcome ${deny ? "deny" : result.decision}`, dataset: { destination: result.destination, refusedBy: where } },
    ...cells, policy, state, reply));
}

function refusedRow(event, agency) {
  const error = event.error;
  return hops(h("div", { class: "lanes outcome refused", dataset: { destination: "" } },
    agency,
    step(2, "refused", h("strong", {}, `⚠ REFUSED ER ${error.code}`), h("span", { class: "reason" }, error.message)),
    idle("not reached"), idle("not reached"),
    step(3, "refused", h("strong", {}, `ER ${error.code} to ${event.ori ?? event.sender?.ori ?? "sender"}`), " from NL0000000")));
}

function nlSummary(summary) {
  const list = (names) => (names.length ? names.join(", ") : "none");
  return h("div", { class: "nl-summary" },
    h("b", {}, `Asked ${summary.hit.length + summary.no_hit.length + summary.denied.length + summary.no_response.length} states. `),
    h("span", { class: "verdict permit" }, `✓ hit: ${list(summary.hit)}`), " · ",
    `no hit: ${summary.no_hit.length} (suppressed, as Nlets does)`, " · ",
    h("span", { class: "verdict deny" }, `✗ denied: ${list(summary.denied)}`), " · ",
    `no answer: ${list(summary.no_response)}`);
}

/** A likely relay of a refused federal immigration query: what the hub flagged, and why. */
function relayBadge(relay) {
  const why = [`${relay.state}: score ${relay.score}, after ${relay.refused_id} from ${relay.refused_ori}`, ...relay.evidence];
  return h("span", { class: "badge relay", title: why.join("\n"), dataset: { pattern: relay.pattern } }, `⚑ ${relay.summary}`);
}

export function card(event, number, parsed) {
  const sender = event.sender ?? {};
  const kind = verdict(event);
  const ori = event.ori ?? sender.ori ?? "?";
  const latency = Math.max(0, ...(event.results ?? []).map((r) => r.latency_ms ?? 0));
  const cites = warrantText(event.warrant, event.text);
  const agency = step(1, "", h("strong", {}, ori), ` sends ${event.key ?? parsed?.key ?? "?"} to ${destinationsText(event, parsed)}`,
    cites ? h("span", { class: `warrant ${event.warrant?.kind ?? "unknown"}`, dataset: { form: event.warrant?.form ?? "" } }, `⚖ ${cites}`) : null);
  const head = h("div", { class: "flow-head" },
    h("span", { class: "num" }, `#${number}`),
    h("span", { class: "hint" }, time(event.at)),
    h("span", { class: "badge key" }, event.key ?? parsed?.key ?? "?"),
    event.forwarded ? h("span", { class: "badge", title: "kept while the state was out of service" }, "forwarded") : null,
    ...(event.relays ?? []).map(relayBadge),
    h("span", { class: "who" }, ori),
    h("span", { class: "name" }, sender.name ?? ""),
    event.hub ? h("span", { class: "hub", title: "the hub it went through" }, `via ${event.hub}`) : null,
    sender.component ? h("span", { class: "badge" }, sender.component) : h("span", { class: "badge" }, sender.type ?? ""),
    h("span", { class: `verdict ${kind}` }, kind === "refused" ? `${VERDICTS.refused} ${event.error.code}` : VERDICTS[kind]),
    event.error ? null : h("span", { class: "lat", title: "slowest destination" }, ms(latency)));
  const rows = [];
  if (event.error) {
    rows.push(refusedRow(event, agency));
  } else if (!(event.results ?? []).length && !event.summary) {
    rows.push(hops(h("div", { class: "lanes outcome" }, agency,
      step(2, "", "accepted; outcomes go to the sender's mailbox"), idle(""), idle(""), idle(""))));
  } else {
    const targets = event.summary
      ? `fans out to every state (${Object.values(event.summary).flat().length})`
      : `checks the format, routes to ${(event.results ?? []).map((r) => r.destination).join(", ")}`;
    const lead = [agency, step(2, "", targets)];
    (event.results ?? []).forEach((result, i) => rows.push(outcomeRow(event, result, i === 0, lead)));
    if (!(event.results ?? []).length) rows.push(hops(h("div", { class: "lanes outcome" }, ...lead, idle("no hits"), idle(""), idle(""))));
    if (event.summary) rows.push(nlSummary(event.summary));
  }
  const explainable = (event.results ?? []).some((r) => decided(r) && isState(r.destination) && r.policy_version !== "none");
  // The footer: the Why? button, and a place for what else a card may name (the hub).
  const foot = h("div", { class: "flow-foot" },
    explainable ? h("button", { type: "button", class: "why", "aria-label": `Why? Explain message ${number}` }, "Why?") : null,
    h("span", { class: "card-hub", dataset: { slot: "hub" } }));
  return h("li", {
    class: `flow ${kind} fresh`,
    tabindex: "0",
    "aria-label": `Message ${number}: ${event.key} from ${ori}, ${VERDICTS[kind]}${cites ? `, ${cites}` : ""}`,
    dataset: { id: event.id ?? "", seq: event.seq ?? "", verdict: kind },
  }, head, rows, foot);
}

/** Does the event pass the filters? state: to or from; ori: prefix; component: "-" = none. */
export function passes(event, filter) {
  const sender = event.sender ?? {};
  if (filter.state) {
    const states = new Set([sender.state, ...(event.results ?? []).map((r) => String(r.destination).slice(0, 2))]);
    if (event.summary) Object.values(event.summary).flat().forEach((s) => states.add(s));
    if (!states.has(filter.state)) return false;
  }
  if (filter.ori && !String(event.ori ?? sender.ori ?? "").startsWith(filter.ori)) return false;
  if (filter.component === "-" && sender.component) return false;
  if (filter.component && filter.component !== "-" && sender.component !== filter.component) return false;
  if (filter.effect) {
    if (filter.effect === "refused") return Boolean(event.error);
    const kind = verdict(event);
    if (kind === "mixed") return !event.error;
    return kind === filter.effect;
  }
  return true;
}

export class FlowView {
  constructor({ list, empty, count, onSelect, onWhy, parse }) {
    this.list = list;
    this.empty = empty;
    this.count = count;
    this.onSelect = onSelect;
    this.onWhy = onWhy;
    this.parse = parse;
    this.events = new Map();
    this.waiting = [];
    this.paused = false;
    this.number = 0;
    this.filter = {};
    list.addEventListener("click", (e) => this.#clicked(e));
    list.addEventListener("keydown", (e) => {
      if (e.target.closest("button")) return; // a button answers its own keys
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        this.#clicked(e);
      }
    });
  }

  add(event) {
    if (this.paused) {
      this.waiting.push(event);
      this.#counted();
      return;
    }
    this.#render(event);
    this.#counted();
  }

  #render(event) {
    this.number += 1;
    const li = card(event, this.number, this.parse(event.text));
    li.hidden = !passes(event, this.filter);
    this.events.set(li, event);
    this.list.prepend(li);
    while (this.list.children.length > KEEP) {
      const last = this.list.lastElementChild;
      this.events.delete(last);
      last.remove();
    }
    setTimeout(() => li.classList.remove("fresh"), 1300);
  }

  pause() {
    this.paused = true;
    this.#counted();
  }

  resume() {
    this.paused = false;
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((event) => this.#render(event));
    this.#counted();
  }

  clear() {
    clear(this.list);
    this.events.clear();
    this.waiting = [];
    this.number = 0;
    this.#counted();
  }

  setFilter(filter) {
    this.filter = filter;
    for (const [li, event] of this.events) li.hidden = !passes(event, filter);
    this.#counted();
  }

  /** `origin`: what was clicked (the card, or its Why? button), given the focus back on close. */
  select(li, destination, why = false, origin = li) {
    this.list.querySelectorAll(".flow.selected").forEach((el) => el.classList.remove("selected"));
    if (li) li.classList.add("selected");
    if (li) (why ? this.onWhy : this.onSelect)(this.events.get(li), destination, origin);
  }

  /** The card of message `id`, and its event, if it is still on the page. */
  find(id) {
    for (const [li, event] of this.events) if (event.id === id) return { li, event };
    return null;
  }

  #clicked(e) {
    const li = e.target.closest(".flow");
    if (!li) return;
    const row = e.target.closest(".outcome");
    const why = e.target.closest("button.why");
    this.select(li, row?.dataset.destination || null, Boolean(why), why ?? li);
  }

  #counted() {
    const total = this.events.size;
    const shown = [...this.events.keys()].filter((li) => !li.hidden).length;
    this.empty.hidden = total > 0 || this.waiting.length > 0;
    const noun = total === 1 ? "message" : "messages";
    let text = total === shown ? `${total} ${noun}` : `${shown} of ${total} ${noun} shown`;
    if (this.waiting.length) text += ` · ${this.waiting.length} waiting (paused)`;
    this.count.textContent = text;
  }
}
