// The trainer's view: wires the key, the live event stream and the panels.

import { ApiError, api, currentKey, directory, forgetKey, loadKey, requesterClasses, saveKey } from "./api.js";
import { option, parseMessage } from "./dom.js";
import { DetailView } from "./detail.js";
import { FlowView } from "./flow.js";
import { Playground } from "./playground.js";
import { loadScenarios } from "./scenarios.js";
import { NAMES, TileMap } from "./tiles.js";

const $ = (id) => document.getElementById(id);
const LARGE = "switch.largeType";

function setLive(state, text) {
  const live = $("live");
  live.dataset.state = state;
  live.textContent = text;
}

function largeType(on) {
  document.documentElement.classList.toggle("large", on);
  $("large-type").setAttribute("aria-pressed", String(on));
  localStorage.setItem(LARGE, on ? "1" : "");
}

function askForKey(message = "") {
  $("app").hidden = true;
  $("key-panel").hidden = false;
  $("key-error").textContent = message;
  $("key-input").focus();
  setLive("offline", "not connected");
}

/** An admin key the hub knows, or a reason why not. */
async function checkKey() {
  try {
    await api("/v1/policies");
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return "The hub does not know this key.";
    if (err instanceof ApiError && err.status === 403) return "This is an agency key; the live view needs an admin key.";
    return `The hub did not answer: ${err.message}`;
  }
}

function tabs(onShow) {
  const all = [...document.querySelectorAll('[role="tab"]')];
  const show = (tab) => {
    for (const t of all) {
      const on = t === tab;
      t.setAttribute("aria-selected", String(on));
      t.tabIndex = on ? 0 : -1;
      $(t.getAttribute("aria-controls")).hidden = !on;
    }
    onShow(tab.id);
  };
  all.forEach((tab, i) => {
    tab.addEventListener("click", () => show(tab));
    tab.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (step) {
        const next = all[(i + step + all.length) % all.length];
        next.focus();
        show(next);
      }
    });
  });
}

class Live {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.source = null;
    this.paused = false;
  }

  connect() {
    this.source?.close();
    const source = new EventSource(`/v1/events?key=${encodeURIComponent(currentKey() ?? "")}`);
    this.source = source;
    source.addEventListener("open", () => this.#status());
    source.addEventListener("message", (e) => this.onEvent(JSON.parse(e.data)));
    source.addEventListener("error", async () => {
      if (source !== this.source) return;
      if (source.readyState === EventSource.CLOSED) {
        setLive("offline", "disconnected");
        const problem = await checkKey();
        if (problem) askForKey(problem);
        else setTimeout(() => { if (source === this.source) this.connect(); }, 3000);
      } else {
        setLive("reconnecting", "reconnecting…");
      }
    });
  }

  setPaused(paused) {
    this.paused = paused;
    this.#status();
  }

  #status() {
    if (this.source?.readyState !== EventSource.OPEN) return;
    if (this.paused) setLive("paused", "paused");
    else setLive("live", "live");
  }

  close() {
    this.source?.close();
    this.source = null;
  }
}

let session = null;

async function start() {
  if (session) {
    // A key asked for again (the old one stopped working): just reconnect.
    $("key-panel").hidden = true;
    $("app").hidden = false;
    session.live.connect();
    return;
  }
  $("key-panel").hidden = true;
  $("app").hidden = false;
  setLive("offline", "connecting…");

  const tiles = new TileMap({
    grid: $("tiles"),
    select: $("tile-class"),
    summary: $("tiles-summary"),
    counted: $("tiles-counts"),
    onPick: (state) => {
      const filter = $("f-state");
      filter.value = filter.value === state ? "" : state;
      applyFilter();
    },
  });
  const detail = new DetailView({
    panel: $("detail"), title: $("detail-title"), body: $("detail-body"), close: $("detail-close"),
    onClose: () => flow.select(null),
  });
  const flow = new FlowView({
    list: $("flows"), empty: $("flow-empty"), count: $("flow-count"),
    onSelect: (event, destination) => detail.show(event, destination),
    parse: parseMessage,
  });
  const live = new Live((event) => {
    tiles.count(event);
    flow.add(event);
  });

  function applyFilter() {
    const filter = {
      state: $("f-state").value,
      ori: $("f-ori").value.trim().toUpperCase(),
      component: $("f-component").value,
      effect: $("f-effect").value,
    };
    flow.setFilter(filter);
    tiles.setActive(filter.state);
  }

  $("f-state").append(...Object.keys(NAMES).sort().map((s) => option(s, `${s} — ${NAMES[s]}`)));
  for (const id of ["f-state", "f-component", "f-effect"]) $(id).addEventListener("change", applyFilter);
  $("f-ori").addEventListener("input", applyFilter);
  $("pause").addEventListener("click", () => {
    const paused = !flow.paused;
    if (paused) flow.pause();
    else flow.resume();
    live.setPaused(paused);
    $("pause").setAttribute("aria-pressed", String(paused));
    $("pause").textContent = paused ? "▶ Resume" : "❚❚ Pause";
  });
  $("clear").addEventListener("click", () => {
    flow.clear();
    tiles.resetCounts();
    detail.hide();
  });
  $("forget-key").addEventListener("click", () => {
    live.close();
    forgetKey();
    location.reload();
  });

  session = { live };
  live.connect();

  const agencies = await directory();
  const classes = requesterClasses(agencies);
  $("f-component").append(...classes.filter((c) => c.component).map((c) => option(c.component, c.component)));
  const picker = $("tile-class");
  picker.replaceChildren(...classes.map((c) => option(c.value, c.label, c.component === "ICE-ERO")));
  picker.addEventListener("change", () => tiles.load(classes.find((c) => c.value === picker.value)));
  const playground = new Playground({ onSaved: () => tiles.load(classes.find((c) => c.value === picker.value)) });

  let scenariosShown = false;
  tabs((id) => {
    if (id === "tab-scenarios" && !scenariosShown) {
      scenariosShown = true;
      loadScenarios($("scenarios"));
    }
  });
  await Promise.all([tiles.load(classes.find((c) => c.value === picker.value)), playground.init()]);
  document.body.dataset.ready = "true";
}

async function main() {
  largeType(localStorage.getItem(LARGE) === "1");
  $("large-type").addEventListener("click", () => largeType(!document.documentElement.classList.contains("large")));
  $("key-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    saveKey($("key-input").value.trim());
    const problem = await checkKey();
    if (problem) {
      forgetKey();
      askForKey(problem);
    } else {
      $("key-input").value = "";
      start();
    }
  });
  if (!loadKey()) {
    askForKey();
    return;
  }
  const problem = await checkKey();
  if (problem) {
    forgetKey();
    askForKey(problem);
    return;
  }
  start();
}

main();
