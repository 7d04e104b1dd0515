// The hub's API as the page uses it: the admin key, JSON calls, errors.

const STORE = "switch.adminKey";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Take `#key=...` from the address (then drop it from view), else the tab's store. */
export function loadKey() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const fromHash = params.get("key");
  if (fromHash) {
    sessionStorage.setItem(STORE, fromHash);
    params.delete("key");
    const rest = params.toString();
    // A key on a projected screen is a key given away: keep it out of the address bar.
    history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  }
  return sessionStorage.getItem(STORE);
}

export function saveKey(key) {
  sessionStorage.setItem(STORE, key);
}

export function forgetKey() {
  sessionStorage.removeItem(STORE);
}

export function currentKey() {
  return sessionStorage.getItem(STORE);
}

/** Call the API with the admin key; JSON in (json:) or text (body:), JSON out. */
export async function api(path, { method = "GET", json, body, contentType } = {}) {
  const headers = { Authorization: `Bearer ${currentKey() ?? ""}` };
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (contentType) {
    headers["Content-Type"] = contentType;
  }
  const response = await fetch(path, { method, headers, body });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && data.error ? data.error : {};
    throw new ApiError(response.status, error.code ?? String(response.status),
      error.message ?? response.statusText);
  }
  return data;
}

/** A ticket that opens the live stream `stream` once, within a minute: an
 *  EventSource cannot send the key in a header, and a key in a URL is logged. */
export async function streamTicket(stream) {
  const { ticket } = await api("/v1/stream-tickets", { method: "POST", json: { stream } });
  return ticket;
}

let agencies = null;

/** The directory, fetched once. */
export async function directory() {
  agencies ??= api("/v1/agencies");
  return agencies;
}

/** Requester classes as the policies speak of them: federal components,
 *  then the ORION types of state and local agencies. */
export function requesterClasses(list) {
  const components = [...new Set(list.map((a) => a.component).filter(Boolean))].sort();
  const typeNames = { PD: "local police", SO: "sheriff", SA: "state agency", LE: "other law enforcement",
    CJ: "other criminal justice", NJ: "non-criminal-justice" };
  const types = [...new Set(list.filter((a) => !a.component).map((a) => a.type))]
    .sort((x, y) => Object.keys(typeNames).indexOf(x) - Object.keys(typeNames).indexOf(y));
  return [
    ...components.map((c) => ({ value: `component:${c}`, label: c, component: c })),
    ...types.map((t) => ({ value: `type:${t}`, label: `${typeNames[t] ?? t} (${t})`, type: t })),
  ];
}

export function inClass(agency, cls) {
  return cls.component ? agency.component === cls.component : !agency.component && agency.type === cls.type;
}
