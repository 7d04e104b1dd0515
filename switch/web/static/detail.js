// One message opened, in a drawer over the page (in view at any size):
// what was sent, what came back, and why — the state's policy explained for
// the same sender, key, reason and warrant. Escape closes it and gives the
// focus back to the card it was opened from.

import { api } from "./api.js";
import { h, clear, parseMessage, time } from "./dom.js";
import { answeredBy, decided, isState, warrantText } from "./flow.js";
import { renderTrace } from "./trace.js";

const SUBJECT_FIELDS = ["OLN", "NAM", "DOB", "SEX"];

/** The warrant level the audit recorded for this outcome, when the hub says. */
async function recordedWarrant(id, destination) {
  try {
    const record = await api(`/v1/messages/${encodeURIComponent(id)}`);
    const outcome = (record.results ?? []).find((r) => r.destination === destination);
    return outcome?.warrant ?? null;
  } catch {
    return null;
  }
}

export async function explainFor(event, state) {
  const fields = parseMessage(event.text)?.fields ?? {};
  const body = { ori: event.ori ?? event.sender?.ori, key: event.key };
  if (fields.RSN) body.rsn = fields.RSN;
  if (fields.IMQ === "Y") body.image = true;
  const recorded = event.id ? await recordedWarrant(event.id, state) : null;
  if (recorded) {
    body.warrant_level = recorded;
  } else if (fields.WRT) {
    // Assessed again by the court registry, as the hub did when it arrived.
    body.warrant = fields.WRT;
    body.fields = Object.fromEntries(SUBJECT_FIELDS.filter((f) => fields[f]).map((f) => [f, fields[f]]));
  } else {
    body.warrant_level = "none";
  }
  return api(`/v1/policies/${state}/explain`, { method: "POST", json: body });
}

export class DetailView {
  constructor({ panel, title, body, close, onClose }) {
    this.panel = panel;
    this.title = title;
    this.body = body;
    this.token = 0;
    this.from = null;
    this.onClose = onClose;
    title.tabIndex = -1;
    close.addEventListener("click", () => this.close());
    document.addEventListener("keydown", (e) => {
      // A modal (the presenter) takes its own Escape first.
      if (e.key === "Escape" && !this.panel.hidden && !document.querySelector("dialog[open]")) {
        e.preventDefault();
        this.close();
      }
    });
  }

  /** Closed by the reader: the focus goes back where it came from. */
  close() {
    const from = this.from;
    this.hide();
    this.onClose();
    if (from?.isConnected) from.focus();
  }

  hide() {
    this.panel.hidden = true;
    this.from = null;
    clear(this.body);
  }

  /** `why`: open at the explanation; `from`: the card to give the focus back to. */
  show(event, destination, { why: atWhy = false, from = null } = {}) {
    this.panel.hidden = false;
    if (from) this.from = from;
    const sender = event.sender ?? {};
    const ori = event.ori ?? sender.ori;
    this.title.textContent = `${event.key ?? "Message"} from ${ori}`;
    clear(this.body);
    this.body.append(
      h("p", { class: "hint" }, `${time(event.at)} · ${sender.name ?? ""}${sender.component ? ` · ${sender.component}` : ""}`
        + ` · ${sender.state ?? ""} ${sender.type ?? ""} · message id ${event.id ?? "?"}`),
      h("h3", {}, "What the agency sent"),
      h("pre", { class: "sent" }, event.text ?? ""),
      warrantText(event.warrant, event.text) ? h("p", { class: "warrant-line" }, `⚖ ${warrantText(event.warrant, event.text)}`) : null);
    this.title.focus({ preventScroll: true });
    if (event.error) {
      this.body.append(
        h("h3", {}, `The hub refused it: ER ${event.error.code}`),
        h("pre", { class: "reply refused" }, event.error.er_text ?? event.error.message),
        h("p", { class: "hint" }, "Refused input never reaches a state: nothing was routed, and the refusal is audited."));
      return;
    }
    const results = event.results ?? [];
    const chosen = results.find((r) => r.destination === destination) ?? results.find((r) => r.decision === "deny")
      ?? results.find(decided) ?? results[0];
    const mark = (r) => (!decided(r) ? "·" : r.decision === "deny" ? "✗" : "✓");
    if (results.length > 1) {
      this.body.append(h("h3", {}, "Destinations"), h("div", { class: "dest-picker" }, results.map((r) =>
        h("button", {
          type: "button", class: r.decision ?? "withheld", "aria-pressed": r === chosen ? "true" : "false",
          onclick: () => this.show(event, r.destination, { why: atWhy }),
        }, `${mark(r)} ${r.destination}`))));
    }
    if (event.summary) {
      this.body.append(h("p", { class: "hint" },
        `NO HITs are not returned to the sender (${event.summary.no_hit.length} states); ` +
        `denied: ${event.summary.denied.join(", ") || "none"}.`));
    }
    if (!chosen) return;
    if (!decided(chosen)) {
      this.body.append(h("p", { class: "hint" },
        `Routed to ${chosen.destination}. What ${chosen.destination} decided and answered is outside this key's scope.`));
      return;
    }
    // A refusal at the state's switch or DMV names the ORI that sent it.
    const where = { "state-switch": "refused at the state's switch", dmv: "refused by the DMV" }[chosen.refused_by];
    const by = where ? ` — ${where}, ${answeredBy(chosen.response) ?? "?"}` : "";
    this.body.append(
      h("h3", {}, `Reply from ${chosen.destination}${chosen.response ? ` (${chosen.response.key})` : ""}${by}`),
      h("pre", { class: `reply ${chosen.decision}` }, chosen.response?.text ?? `(${chosen.status}: nothing returned)`));
    if (!isState(chosen.destination) || chosen.policy_version === "none") {
      this.body.append(h("p", { class: "hint" }, "No state policy decides this message."));
      return;
    }
    const why = h("div", { class: "why", "aria-live": "polite" }, h("p", { class: "hint" }, "Asking the policy to explain…"));
    const heading = h("h3", { id: "detail-why", tabindex: "-1" }, `Why: ${chosen.destination}'s policy`);
    this.body.append(heading, why);
    if (atWhy) heading.focus();
    const token = ++this.token;
    explainFor(event, chosen.destination).then((trace) => {
      if (token !== this.token) return;
      clear(why);
      if (trace.version && chosen.policy_version && trace.version !== chosen.policy_version) {
        why.append(h("p", { class: "note" },
          `The policy changed since: this message was decided by ${chosen.policy_version}; ` +
          `the trace below is of ${trace.version}, in force now.`));
      }
      why.append(renderTrace(trace));
    }).catch((err) => {
      if (token !== this.token) return;
      clear(why).append(h("p", { class: "error" }, `Could not explain: ${err.message}`));
    });
  }
}
