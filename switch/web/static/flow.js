// The live flow: one card per message, its path in five lanes
// (agency → hub → state's policy → state DMV → reply), numbered steps.

import { h, clear, ms, time } from "./dom.js";

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

function step(n, cls, ...content) {
  return h("div", { class: `step ${cls}` }, n ? h("span", { class: "n", "aria-label": `step ${n}` }, n) : null, ...content);
}

function idle(text) {
  return h("div", { class: "step idle" }, text);
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

function outcomeRow(event, result, first, lead) {
  const deny = result.decision === "deny";
  const sender = event.ori ?? event.sender?.ori;
  const cells = first ? lead : [h("div", { class: "step blank" }), h("div", { class: "step blank" })];
  if (!decided(result)) {
    return h("div", { class: "lanes outcome withheld", dataset: { destination: result.destination } },
      ...cells, idle(`routed to ${result.destination}`), idle("outside this key's scope"), idle(""));
  }
  let policy;
  if (!isState(result.destination) && result.policy_version === "none") {
    policy = idle(`${event.key} is not a query: no state policy applies`);
  } else {
    policy = step(3, deny ? "deny" : "permit",
      h("strong", {}, deny ? "✗ DENY " : "✓ PERMIT "),
      h("span", { class: "rule" }, result.rule ?? "default"),
      h("span", { class: "reason" }, result.reason ?? ""));
  }
  let state;
  let reply;
  const response = result.response;
  if (deny) {
    state = idle(`${result.destination} DMV not asked`);
    reply = step(4, "deny", h("strong", {}, `ER .02. to ${sender}`), " from NL0000000 ",
      h("span", { class: "ms" }, ms(result.latency_ms)));
  } else if (result.status === "answered") {
    const found = hit(result);
    state = step(4, "permit", `${result.destination} DMV answers: `, h("strong", {}, found ? "record found" : "NOT ON FILE"),
      result.redacted?.length ? h("span", { class: "reason" }, `withheld: ${result.redacted.join(", ")}`) : null);
    reply = step(5, "permit", h("strong", {}, `${response?.key ?? "reply"} to ${sender} `),
      h("span", { class: "ms" }, ms(result.latency_ms)),
      result.obligations?.length ? h("span", { class: "reason" }, `obligations: ${result.obligations.join("; ")}`) : null);
  } else if (result.status === "delivered") {
    state = step(4, "permit", `delivered to the mailbox of ${result.destination}`);
    reply = step(5, "permit", h("strong", {}, "delivered"));
  } else {
    const why = result.status === "no_response" ? "no answer in time" : result.status.replace(/_/g, " ");
    state = step(4, "refused", `${result.destination} DMV: `, h("strong", {}, why));
    reply = step(5, "refused", response ? `${response.key} to ${sender}` : "nothing to return", " ",
      h("span", { class: "ms" }, ms(result.latency_ms)));
  }
  return h("div", { class: `lanes outcome ${deny ? "deny" : result.decision}`, dataset: { destination: result.destination } },
    ...cells, policy, state, reply);
}

function refusedRow(event, agency) {
  const error = event.error;
  return h("div", { class: "lanes outcome refused", dataset: { destination: "" } },
    agency,
    step(2, "refused", h("strong", {}, `⚠ REFUSED ER ${error.code}`), h("span", { class: "reason" }, error.message)),
    idle("not reached"), idle("not reached"),
    step(3, "refused", h("strong", {}, `ER ${error.code} to ${event.ori ?? event.sender?.ori ?? "sender"}`), " from NL0000000"));
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
  const agency = step(1, "", h("strong", {}, ori), ` sends ${event.key ?? parsed?.key ?? "?"} to ${destinationsText(event, parsed)}`);
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
    rows.push(h("div", { class: "lanes outcome" }, agency,
      step(2, "", "accepted; outcomes go to the sender's mailbox"), idle(""), idle(""), idle("")));
  } else {
    const targets = event.summary
      ? `fans out to every state (${Object.values(event.summary).flat().length})`
      : `checks the format, routes to ${(event.results ?? []).map((r) => r.destination).join(", ")}`;
    const lead = [agency, step(2, "", targets)];
    (event.results ?? []).forEach((result, i) => rows.push(outcomeRow(event, result, i === 0, lead)));
    if (!(event.results ?? []).length) rows.push(h("div", { class: "lanes outcome" }, ...lead, idle("no hits"), idle(""), idle("")));
    if (event.summary) rows.push(nlSummary(event.summary));
  }
  return h("li", {
    class: `flow ${kind} fresh`,
    tabindex: "0",
    "aria-label": `Message ${number}: ${event.key} from ${ori}, ${VERDICTS[kind]}`,
    dataset: { id: event.id ?? "", seq: event.seq ?? "", verdict: kind },
  }, head, rows);
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
  constructor({ list, empty, count, onSelect, parse }) {
    this.list = list;
    this.empty = empty;
    this.count = count;
    this.onSelect = onSelect;
    this.parse = parse;
    this.events = new Map();
    this.waiting = [];
    this.paused = false;
    this.number = 0;
    this.filter = {};
    list.addEventListener("click", (e) => this.#clicked(e));
    list.addEventListener("keydown", (e) => {
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

  select(li, destination) {
    this.list.querySelectorAll(".flow.selected").forEach((el) => el.classList.remove("selected"));
    if (li) li.classList.add("selected");
    if (li) this.onSelect(this.events.get(li), destination);
  }

  #clicked(e) {
    const li = e.target.closest(".flow");
    if (!li) return;
    const row = e.target.closest(".outcome");
    this.select(li, row?.dataset.destination || null);
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
