// The policy playground: pick a requester from the directory, a state and a
// question; see the decision and its trace at once. Edit the state's policy:
// the hub validates it whole and saves nothing until it is valid.

import { ApiError, api, directory, inClass, requesterClasses } from "./api.js";
import { h, clear, option } from "./dom.js";
import { NAMES } from "./tiles.js";
import { renderTrace } from "./trace.js";

const $ = (id) => document.getElementById(id);

/** `policies/WA.yaml:4: reason; policies/WA.yaml:9: reason` → [{file, line, reason}]. */
export function problems(message) {
  return message.split(/;\s(?=[^\s;]+:\d+:\s)/).map((part) => {
    const m = /^(.+?):(\d+):\s([\s\S]*)$/.exec(part.trim());
    return m ? { file: m[1], line: Number(m[2]), reason: m[3] } : { file: "", line: 0, reason: part };
  });
}

export class Playground {
  constructor({ onSaved }) {
    this.onSaved = onSaved;
    this.agencies = [];
    this.classes = [];
    this.token = 0;
    this.loadedText = "";
    this.badLines = new Set();
  }

  async init() {
    this.agencies = await directory();
    this.classes = requesterClasses(this.agencies);
    const cls = $("pg-class");
    cls.replaceChildren(...this.classes.map((c) => option(c.value, c.label, c.component === "ICE-ERO")));
    $("pg-state").replaceChildren(...Object.keys(NAMES).sort().map((s) => option(s, `${s} — ${NAMES[s]}`, s === "WA")));
    this.#fillAgencies("VTICE0900");
    cls.addEventListener("change", () => { this.#fillAgencies(); this.run(); });
    $("pg-state").addEventListener("change", () => { this.loadPolicy(); this.run(); });
    for (const id of ["pg-ori", "pg-key", "pg-rsn", "pg-warrant", "pg-image"]) {
      $(id).addEventListener("change", () => this.run());
    }
    $("pg-form").addEventListener("submit", (e) => { e.preventDefault(); this.run(); });
    $("pg-edit").addEventListener("click", () => this.#openEditor());
    $("pg-save").addEventListener("click", () => this.save());
    $("pg-revert").addEventListener("click", () => this.#setText(this.loadedText, true));
    const yaml = $("pg-yaml");
    yaml.addEventListener("input", () => this.#gutter());
    yaml.addEventListener("scroll", () => { $("pg-gutter").scrollTop = yaml.scrollTop; });
    $("pg-errors").addEventListener("click", (e) => {
      const li = e.target.closest("li[data-line]");
      if (li) this.#goToLine(Number(li.dataset.line));
    });
    await Promise.all([this.run(), this.loadPolicy()]);
  }

  #cls() {
    return this.classes.find((c) => c.value === $("pg-class").value);
  }

  #fillAgencies(preferred) {
    const cls = this.#cls();
    const members = this.agencies.filter((a) => inClass(a, cls));
    $("pg-ori").replaceChildren(...members.map((a) =>
      option(a.ori, `${a.ori} — ${a.name} (${a.state})`, a.ori === preferred)));
  }

  async run() {
    const state = $("pg-state").value;
    const body = {
      ori: $("pg-ori").value,
      key: $("pg-key").value,
      rsn: $("pg-rsn").value,
      image: $("pg-image").checked,
      warrant_level: $("pg-warrant").value,
    };
    const out = $("pg-result");
    const token = ++this.token;
    out.dataset.busy = "true";
    try {
      const trace = await api(`/v1/policies/${state}/explain`, { method: "POST", json: body });
      if (token !== this.token) return;
      const agency = this.agencies.find((a) => a.ori === body.ori);
      clear(out).append(
        h("p", { class: "hint" }, `${body.ori} (${agency?.name ?? "?"}) asks ${state} for a ${body.key}`
          + `, reason ${body.rsn}, warrant ${body.warrant_level}${body.image ? ", photo wanted" : ""}.`),
        renderTrace(trace));
    } catch (err) {
      if (token !== this.token) return;
      clear(out).append(h("p", { class: "error" }, `Could not explain: ${err.message}`));
    } finally {
      if (token === this.token) delete out.dataset.busy;
    }
  }

  async loadPolicy() {
    const state = $("pg-state").value;
    $("pg-editor-title").textContent = `${state}'s policy`;
    const info = $("pg-policy-info");
    try {
      const policy = await api(`/v1/policies/${state}`);
      if ($("pg-state").value !== state) return;
      this.loadedText = policy.text ?? "";
      info.textContent = `${policy.title} · ${policy.rules.length} rules · version ${policy.version}`
        + (policy.candidate ? ` · candidate in shadow: ${policy.candidate.version}` : "");
      this.#setText(this.loadedText, true);
      $("pg-edit").disabled = false;
    } catch (err) {
      this.loadedText = "";
      info.textContent = err instanceof ApiError && err.status === 404
        ? `${state} has no policy in force: every request is permitted.`
        : `Could not read the policy: ${err.message}`;
      $("pg-edit").disabled = !(err instanceof ApiError && err.status === 404);
      this.#setText("", true);
    }
  }

  #openEditor() {
    const area = $("pg-edit-area");
    area.hidden = !area.hidden;
    $("pg-edit").textContent = area.hidden ? "Edit" : "Close editor";
    if (!area.hidden) {
      if (!$("pg-yaml").value) this.#setText(this.loadedText || `state: ${$("pg-state").value}\ntitle: \ndefault: permit\nrules: []\n`, true);
      $("pg-yaml").focus();
    }
  }

  #setText(text, resetMessages) {
    $("pg-yaml").value = text;
    if (resetMessages) {
      this.badLines = new Set();
      clear($("pg-errors"));
      $("pg-saved").textContent = "";
    }
    this.#gutter();
  }

  #gutter() {
    const lines = $("pg-yaml").value.split("\n").length;
    const gutter = $("pg-gutter");
    clear(gutter);
    for (let n = 1; n <= lines; n += 1) {
      gutter.append(h("span", { class: this.badLines.has(n) ? "bad" : null }, String(n)), "\n");
    }
    gutter.scrollTop = $("pg-yaml").scrollTop;
  }

  #goToLine(line) {
    const yaml = $("pg-yaml");
    const lines = yaml.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    yaml.focus();
    yaml.setSelectionRange(start, start + (lines[line - 1] ?? "").length);
  }

  async save() {
    const state = $("pg-state").value;
    const errors = $("pg-errors");
    const saved = $("pg-saved");
    clear(errors);
    saved.textContent = "";
    try {
      const policy = await api(`/v1/policies/${state}`, {
        method: "PUT", body: $("pg-yaml").value, contentType: "application/yaml",
      });
      this.badLines = new Set();
      this.loadedText = policy.text ?? $("pg-yaml").value;
      saved.textContent = `Saved: ${state} now enforces version ${policy.version}.`;
      $("pg-policy-info").textContent = `${policy.title} · ${policy.rules.length} rules · version ${policy.version}`;
      this.run();
      this.onSaved(state);
    } catch (err) {
      const list = err instanceof ApiError && err.code === "POLICY_INVALID"
        ? problems(err.message)
        : [{ file: "", line: 0, reason: err.message }];
      this.badLines = new Set(list.map((p) => p.line).filter(Boolean));
      errors.append(h("li", { class: "summary" }, "Not saved: the policy in force is unchanged."),
        ...list.map((p) => h("li", { dataset: { line: p.line || null } },
          p.line ? h("span", { class: "where" }, `line ${p.line}`) : null, p.reason,
          p.file ? h("span", { class: "hint" }, ` (${p.file}:${p.line})`) : null)));
    }
    this.#gutter();
  }
}
