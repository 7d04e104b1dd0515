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

export function decisionBox(decision, extra = {}) {
  const permit = decision.effect === "permit";
  const rows = [
    ["Rule", decision.rules?.length > 1 ? decision.rules.join(", ") : decision.rule ?? "(none: the default)"],
    ["Reason", decision.reason ?? ""],
  ];
  if (decision.obligations?.length) rows.push(["Obligations", decision.obligations.join("; ")]);
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
