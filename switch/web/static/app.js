// The trainer's view: wires the key, the live event stream and the panels.

import { ApiError, api, directory, forgetKey, loadKey, requesterClasses, saveKey, streamTicket } from "./api.js";
import { option, parseMessage } from "./dom.js";
import { DetailView } from "./detail.js";
import { FlowView } from "./flow.js";
import { Playground } from "./playground.js";
import { Presenter } from "./presenter.js";
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

/** Null for an admin key the hub knows, else why not: `refused` when the
 *  hub refused the key, rather than not answering. */
async function keyProblem() {
  try {
    await api("/v1/policies");
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return { refused: true, message: "The hub does not know this key." };
    if (err instanceof ApiError && err.status === 403) {
      return { refused: true, message: "This is an agency key; the live view needs an admin key." };
    }
    return { refused: false, message: `The hub did not answer: ${err.message}` };
  }
}

/** An admin key the hub knows, or a reason why not. */
async function checkKey() {
  return (await keyProblem())?.message ?? null;
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

// Wait before opening the stream again after it drops.
const RETRY_MS = 2000;

class Live {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.source = null;
    this.paused = false;
    this.attempt = 0;
    this.retry = null;
  }

  /** Open the stream with a fresh ticket: each opens one stream, once, so
   *  every reconnect asks for another, never reusing the last. */
  async connect() {
    this.close();
    const attempt = this.attempt;
    let ticket;
    try {
      ticket = await streamTicket("events");
    } catch {
      if (attempt === this.attempt) this.#lost();
      return;
    }
    if (attempt !== this.attempt) return; // closed, or connected again, meanwhile
    const source = new EventSource(`/v1/events?ticket=${encodeURIComponent(ticket)}`);
    this.source = source;
    source.addEventListener("open", () => this.#status());
    source.addEventListener("message", (e) => this.onEvent(JSON.parse(e.data)));
    // The hub ends the stream when the key is revoked or expires, saying why.
    source.addEventListener("end", (e) => {
      if (source !== this.source) return;
      this.close();
      askForKey(`The live view ended: ${JSON.parse(e.data).reason}.`);
    });
    source.addEventListener("error", () => {
      if (source !== this.source) return;
      // The browser would retry with the spent ticket: close it and retry here.
      this.close();
      this.#lost();
    });
  }

  /** The stream could not open, or dropped: a key the hub refuses is asked
   *  for again; otherwise (a hub restarting, say) the stream is tried again. */
  async #lost() {
    setLive("reconnecting", "reconnecting…");
    const attempt = this.attempt;
    const problem = await keyProblem();
    if (attempt !== this.attempt) return;
    if (problem?.refused) askForKey(problem.message);
    else this.retry = setTimeout(() => { if (attempt === this.attempt) this.connect(); }, RETRY_MS);
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
    this.attempt += 1;
    clearTimeout(this.retry);
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
    onSelect: (event, destination, li) => detail.show(event, destination, { from: li }),
    onWhy: (event, destination, li) => detail.show(event, destination, { why: true, from: li }),
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

  const presenter = new Presenter({ dialog: $("presenter"), flow });
  let scenariosShown = false;
  tabs((id) => {
    if (id === "tab-scenarios" && !scenariosShown) {
      scenariosShown = true;
      loadScenarios($("scenarios"), { onPresent: (scenario, button) => presenter.open(scenario, button) });
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
