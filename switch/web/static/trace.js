// An explain trace as a tree: the decision first, then every rule with
// each test's ✓/✗ and the value the policy saw beside the one it wanted.

import { h } from "./dom.js";

const OPS = { all: "all of", any: "any of", not: "not" };

function show(value) {
  if (Array.isArray(value)) return value.length ? value.join(", ") : "(none)";
  if (value === null || value === undefined) return "(unknown)";
  return String(value);
}

function mark(result) {
  return h("span", { class: `mark ${result ? "yes" : "no"}`, "aria-label": result ? "true" : "false" },
    result ? "✓" : "✗");
}

function node(n) {
  if (!n) return null;
  if (n.op) {
    return h("li", { class: "node" }, mark(n.result), h("span", {}, `${OPS[n.op] ?? n.op}:`),
      h("ul", { class: "tree" }, (n.children ?? []).map(node)));
  }
  const expected = Array.isArray(n.expected) ? `one of ${show(n.expected)}` : show(n.expected);
  return h("li", { class: "node" }, mark(n.result), h("code", {}, n.test), " is ",
    h("strong", {}, show(n.actual)), h("span", { class: "hint" }, ` (wanted ${expected})`));
}

function clause(label, n, hint) {
  if (!n) return null;
  return h("ul", { class: "tree" },
    h("li", {}, h("span", { class: "clause" }, label), hint ? h("span", { class: "hint" }, hint) : null,
      h("ul", { class: "tree" }, node(n))));
}

function ruleTrace(rule) {
  const considered = rule.considered !== false;
  const status = !considered ? "not considered" : rule.error ? "ERROR" : rule.matched ? "MATCHED" : "not matched";
  const classes = ["rule-trace", rule.effect, rule.matched ? "matched" : "", considered ? "" : "skipped"];
  const unlessHint = rule.unless
    ? rule.unless.result ? " — the exception applies, so the rule does not" : " — the exception does not apply"
    : "";
  return h("li", { class: classes.join(" ").trim(), dataset: { rule: rule.id } },
    h("div", { class: "rule-head" },
      h("span", { class: "mark " + (rule.matched ? "yes" : "no") }, considered ? (rule.matched ? "✓" : "✗") : "–"),
      h("span", { class: "status" }, status),
      h("span", { class: "rule-id" }, rule.id),
      h("span", { class: `verdict ${rule.effect}` }, rule.effect)),
    rule.reason ? h("div", { class: "hint" }, rule.reason) : null,
    considered ? null : h("div", { class: "hint" }, "Not tried: it names other requesters or message keys."),
    rule.error ? h("div", { class: "error" }, rule.error) : null,
    considered ? clause("when", rule.when) : null,
    considered ? clause("unless", rule.unless, unlessHint) : null);
}

// What a test's attribute is, in words.
const ATTRIBUTES = {
  "requester.component": "the requester's component",
  "requester.type": "the requester's agency type",
  "requester.ori": "the requester's ORI",
  "requester.state": "the requester's state",
  "requester.in_state": "the requester is in the state",
  "requester.department": "the requester's department",
  "requester.tags": "the requester's tags",
  "message.key": "the message key",
  "message.reason": "the reason given",
  "message.image": "a photo is asked for",
  warrant: "the warrant",
  "subject.refused_to": "the subject was refused recently",
  time: "the time",
};

function leaves(n, out = []) {
  if (!n) return out;
  if (n.op) (n.children ?? []).forEach((c) => leaves(c, out));
  else out.push(n);
  return out;
}

function said(leaf) {
  return `${ATTRIBUTES[leaf.test] ?? leaf.test} is ${show(leaf.actual)}`;
}

/** The decision in a few plain sentences: who decided, why it applied, what
 *  its exception wanted, what a release obliges. */
export function inWords(trace) {
  const decision = trace.decision ?? {};
  const verb = decision.effect === "deny" ? "refuses" : "permits";
  const sentences = [];
  const rule = (trace.rules ?? []).find((r) => r.id === decision.rule);
  if (!rule) {
    sentences.push(`${trace.state} ${verb} it: no rule applies, so its default (${trace.default ?? decision.effect}) decides.`);
  } else {
    sentences.push(`${trace.state} ${verb} it by rule ${rule.id}: ${decision.reason ?? rule.reason ?? ""}`.trim());
    const met = leaves(rule.when).filter((l) => l.result);
    if (met.length) sentences.push(`The rule applies because ${met.map(said).join(" and ")}.`);
    if (rule.unless && !rule.unless.result) {
      const missing = leaves(rule.unless).filter((l) => !l.result);
      const wants = missing.map((l) => `${ATTRIBUTES[l.test] ?? l.test} to be ${Array.isArray(l.expected) ? `one of ${show(l.expected)}` : show(l.expected)}`);
      sentences.push(`Its exception would need ${wants.join(" and ")}; ${missing.map(said).join(" and ")}.`);
    }
  }
  const words = decision.obligations_words?.length ? decision.obligations_words : decision.obligations ?? [];
  if (words.length) sentences.push(`The release obliges: ${words.join("; ")}.`);
  return sentences;
}

export function decisionBox(decision, extra = {}) {
  const permit = decision.effect === "permit";
  const rows = [
    ["Rule", decision.rules?.length > 1 ? decision.rules.join(", ") : decision.rule ?? "(none: the default)"],
    ["Reason", decision.reason ?? ""],
  ];
  const owed = decision.obligations_words?.length ? decision.obligations_words : decision.obligations ?? [];
  if (owed.length) rows.push(["Obligations", owed.join("; ")]);
  if (decision.warrant_wanted?.length) rows.push(["Warrant wanted", decision.warrant_wanted.join(" or ")]);
  if (decision.redact?.length) rows.push(["Redacted", decision.redact.join(", ")]);
  if (decision.errors?.length) rows.push(["Errors", decision.errors.join("; ")]);
  if (decision.shadow) rows.push(["Candidate would", `${decision.shadow.effect} (${decision.shadow.rule ?? "default"})`]);
  rows.push(["Policy version", decision.version ?? extra.version ?? ""]);
  return h("div", { class: `decision ${decision.effect}`, dataset: { effect: decision.effect } },
    h("div", { class: "effect" }, permit ? "✓ PERMIT" : "✗ DENY"),
    h("dl", {}, rows.map(([k, v]) => [h("dt", {}, k), h("dd", { dataset: { field: k.toLowerCase() } }, v)])));
}

/** The whole trace: decision, the request as the policy saw it, the rules. */
export function renderTrace(trace) {
  const facts = Object.entries(trace.request ?? {}).filter(([k]) => k !== "time");
  return h("div", { class: "trace", dataset: { state: trace.state } },
    h("div", { class: "in-words" }, inWords(trace).map((sentence) => h("p", {}, sentence))),
    decisionBox(trace.decision, trace),
    h("p", { class: "hint" },
      `${trace.state}: ${trace.title ?? ""} — combining ${trace.combine ?? "?"}, default ${trace.default ?? "?"}.`),
    h("details", {},
      h("summary", {}, "The request as the policy saw it"),
      h("table", { class: "facts" }, facts.map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", {}, show(v)))))),
    h("h3", {}, "Rules tried"),
    trace.rules?.length
      ? h("ol", { class: "rules" }, trace.rules.map(ruleTrace))
      : h("p", { class: "hint" }, "This policy has no rules: every request gets the default."));
}
