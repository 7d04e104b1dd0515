// The tile map: one square per jurisdiction on a fixed 12 × 8 grid, as news
// graphics draw the states, coloured by the stance of each state's policy
// toward one class of requester, with the page's live counts.

import { api } from "./api.js";
import { h, clear } from "./dom.js";

// [column, row] on the grid; DC and PR included (52 jurisdictions answer DQ).
export const GRID = {
  AK: [0, 0], ME: [11, 0],
  VT: [10, 1], NH: [11, 1],
  WA: [1, 2], ID: [2, 2], MT: [3, 2], ND: [4, 2], MN: [5, 2], IL: [6, 2], WI: [7, 2], MI: [8, 2], NY: [9, 2], RI: [10, 2], MA: [11, 2],
  OR: [1, 3], NV: [2, 3], WY: [3, 3], SD: [4, 3], IA: [5, 3], IN: [6, 3], OH: [7, 3], PA: [8, 3], NJ: [9, 3], CT: [10, 3],
  CA: [1, 4], UT: [2, 4], CO: [3, 4], NE: [4, 4], MO: [5, 4], KY: [6, 4], WV: [7, 4], VA: [8, 4], MD: [9, 4], DE: [10, 4],
  AZ: [2, 5], NM: [3, 5], KS: [4, 5], AR: [5, 5], TN: [6, 5], NC: [7, 5], SC: [8, 5], DC: [9, 5],
  OK: [4, 6], LA: [5, 6], MS: [6, 6], AL: [7, 6], GA: [8, 6],
  HI: [0, 7], TX: [4, 7], FL: [9, 7], PR: [11, 7],
};

export const NAMES = {
  AK: "Alaska", AL: "Alabama", AR: "Arkansas", AZ: "Arizona", CA: "California", CO: "Colorado", CT: "Connecticut",
  DC: "District of Columbia", DE: "Delaware", FL: "Florida", GA: "Georgia", HI: "Hawaii", IA: "Iowa", ID: "Idaho",
  IL: "Illinois", IN: "Indiana", KS: "Kansas", KY: "Kentucky", LA: "Louisiana", MA: "Massachusetts", MD: "Maryland",
  ME: "Maine", MI: "Michigan", MN: "Minnesota", MO: "Missouri", MS: "Mississippi", MT: "Montana", NC: "North Carolina",
  ND: "North Dakota", NE: "Nebraska", NH: "New Hampshire", NJ: "New Jersey", NM: "New Mexico", NV: "Nevada",
  NY: "New York", OH: "Ohio", OK: "Oklahoma", OR: "Oregon", PA: "Pennsylvania", PR: "Puerto Rico", RI: "Rhode Island",
  SC: "South Carolina", SD: "South Dakota", TN: "Tennessee", TX: "Texas", UT: "Utah", VA: "Virginia", VT: "Vermont",
  WA: "Washington", WI: "Wisconsin", WV: "West Virginia", WY: "Wyoming",
};

export const STANCES = {
  open: { symbol: "✓", label: "open" },
  "warrant-only": { symbol: "⚖", label: "judicial warrant only" },
  blocked: { symbol: "✗", label: "blocked" },
  partial: { symbol: "±", label: "partial" },
  pending: { symbol: "→", label: "candidate pending" },
};

export class TileMap {
  constructor({ grid, select, summary, counted, onPick }) {
    this.grid = grid;
    this.counted = counted;
    this.select = select;
    this.summary = summary;
    this.onPick = onPick;
    this.stance = new Map(); // state -> row of GET /v1/stance
    this.counts = new Map(); // "class|state" -> {permit, deny}
    this.active = "";
    this.cls = null;
    this.tiles = new Map();
    for (const [state, [col, row]] of Object.entries(GRID)) {
      const tile = h("div", {
        class: "tile loading", role: "listitem", tabindex: "0", dataset: { state },
        onclick: () => this.onPick(state),
        onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); this.onPick(state); } },
      });
      tile.style.gridColumn = String(col + 1);
      tile.style.gridRow = String(row + 1);
      this.tiles.set(state, tile);
      grid.append(tile);
    }
  }

  classKey(cls) {
    return cls ? (cls.component ? `c:${cls.component}` : `t:${cls.type}`) : "";
  }

  async load(cls) {
    this.cls = cls;
    const query = cls.component ? `component=${encodeURIComponent(cls.component)}` : `type=${encodeURIComponent(cls.type)}`;
    this.grid.dataset.loading = "true";
    try {
      const data = await api(`/v1/stance?${query}`);
      if (this.cls !== cls) return;
      this.stance = new Map(data.states.map((row) => [row.state, row]));
      this.grid.dataset.requester = data.requester;
    } catch (err) {
      this.stance = new Map();
      this.summary.textContent = `Could not load the states' stance: ${err.message}`;
    } finally {
      delete this.grid.dataset.loading;
    }
    this.render();
  }

  /** Count an event's decisions toward the sender's class, per state. */
  count(event) {
    if (event.error || event.key === "AM") return;
    const sender = event.sender ?? {};
    const key = sender.component ? `c:${sender.component}` : `t:${sender.type}`;
    const add = (state, effect) => {
      const slot = `${key}|${state}`;
      const entry = this.counts.get(slot) ?? { permit: 0, deny: 0 };
      entry[effect] += 1;
      this.counts.set(slot, entry);
    };
    if (event.summary) {
      const { hit, no_hit: noHit, no_response: silent, denied } = event.summary;
      [...hit, ...noHit, ...silent].forEach((s) => add(s, "permit"));
      denied.forEach((s) => add(s, "deny"));
    } else {
      for (const r of event.results ?? []) {
        if (r.destination.length === 2 && r.decision) add(r.destination, r.decision === "deny" ? "deny" : "permit");
      }
    }
    if (key === this.classKey(this.cls)) this.render();
  }

  resetCounts() {
    this.counts.clear();
    this.render();
  }

  setActive(state) {
    this.active = state;
    for (const [s, tile] of this.tiles) tile.classList.toggle("active", s === state);
  }

  #renderCounts(key, who) {
    const seen = [...this.counts.entries()]
      .filter(([slot]) => slot.startsWith(`${key}|`))
      .map(([slot, c]) => [slot.slice(key.length + 1), c])
      .sort(([a, x], [b, y]) => y.permit + y.deny - (x.permit + x.deny) || a.localeCompare(b));
    clear(this.counted);
    if (!seen.length) {
      this.counted.append(`No ${who} traffic yet since the page opened.`);
      return;
    }
    this.counted.append(h("strong", {}, `${who} traffic: `),
      ...seen.flatMap(([state, c], i) => [i ? " · " : "",
        h("span", { class: "c", dataset: { state } }, `${state} ✓${c.permit} ✗${c.deny}`)]));
  }

  render() {
    const key = this.classKey(this.cls);
    const restricted = [];
    for (const [state, tile] of this.tiles) {
      const row = this.stance.get(state);
      const counts = this.counts.get(`${key}|${state}`) ?? { permit: 0, deny: 0 };
      const pending = row?.candidate?.differs ? row.candidate : null;
      const status = row ? (pending ? "pending" : row.status) : "unknown";
      const stance = STANCES[status];
      tile.className = `tile status-${status}${state === this.active ? " active" : ""}`;
      tile.dataset.status = row ? row.status : "";
      if (pending) tile.dataset.pending = pending.status;
      else delete tile.dataset.pending;
      let words = row ? STANCES[row.status]?.label ?? row.status : "unknown";
      if (pending) words += `; candidate policy would make it ${STANCES[pending.status]?.label ?? pending.status}`;
      const detail = row?.detail ? ` (${row.detail})` : "";
      const label = `${NAMES[state] ?? state}: ${words}${detail}. ${counts.permit} permitted, ${counts.deny} denied.`;
      tile.setAttribute("aria-label", label);
      tile.title = label + (row?.rules?.length ? ` Rules: ${row.rules.join(", ")}.` : "");
      const symbol = pending ? `${STANCES[row.status]?.symbol ?? "?"}→${STANCES[pending.status]?.symbol ?? "?"}` : stance?.symbol ?? "?";
      const seen = counts.permit + counts.deny > 0;
      tile.classList.toggle("seen", seen);
      // One count a line, so each can be large; the space keeps the text "✓1 ✗0".
      clear(tile).append(h("b", {}, state), h("span", { class: "sym" }, symbol),
        h("span", { class: "counts" }, seen ? [h("span", {}, `✓${counts.permit}`), " ", h("span", {}, `✗${counts.deny}`)] : ""));
      if (row && (row.status !== "open" || pending)) restricted.push([state, row, pending]);
    }
    const who = this.cls?.label ?? "";
    this.#renderCounts(key, who);
    clear(this.summary);
    if (!this.stance.size) return;
    if (!restricted.length) {
      this.summary.append(`${who}: open in every state.`);
      return;
    }
    // Grouped by stance, so the room can read the map out loud.
    const groups = new Map();
    for (const [state, row, pending] of restricted.sort(([a], [b]) => a.localeCompare(b))) {
      const status = pending ? "pending" : row.status;
      const text = pending ? `${state} (${STANCES[row.status]?.label ?? row.status} now; candidate: ${STANCES[pending.status]?.label ?? pending.status})` : state;
      groups.set(status, [...(groups.get(status) ?? []), text]);
    }
    const order = ["blocked", "warrant-only", "partial", "pending", "open"];
    const parts = order.filter((s) => groups.has(s)).map((s) =>
      h("span", { class: "group", dataset: { status: s } }, `${STANCES[s].label}: ${groups.get(s).join(", ")}. `));
    this.summary.append(h("strong", {}, `${who}: `), ...parts, "Open everywhere else.");
  }
}
