// Small DOM helpers: every value from the hub goes in as text, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") el.className = value;
    else if (name === "dataset") {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[k] = String(v);
    }
    else if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function option(value, label, selected = false) {
  return h("option", { value, selected }, label);
}

/** The parts of a message the page needs, from legacy text or the JSON form. */
export function parseMessage(text) {
  if (!text) return null;
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      const data = JSON.parse(trimmed);
      return { key: data.key, dest: data.dest ?? [], control: data.control, fields: data.fields ?? {} };
    } catch {
      return null;
    }
  }
  const m = /^([A-Z]{2,3})\.([A-Z0-9]{9})\.([A-Z0-9,]+)\.(?:\*([^.]*)\.)?TXT(?:\r?\n)?([\s\S]*)$/.exec(trimmed);
  if (!m) return null;
  const [, key, ori, dest, control, body] = m;
  const fields = {};
  if (key !== "AM") {
    for (const part of body.split(/\.(?=[A-Z]{3}\/)/)) {
      const slash = part.indexOf("/");
      if (slash === 3) fields[part.slice(0, 3)] = part.slice(4).trim();
    }
  }
  return { key, ori, dest: dest.split(","), control, fields };
}

export function time(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : d.toLocaleTimeString([], { hour12: false });
}

export function ms(value) {
  if (value === null || value === undefined) return "";
  return value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`;
}
