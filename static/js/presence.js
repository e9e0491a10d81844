// Who of the IC and the ADs has a live device: "1st AD offline" within seconds of the AD's
// phone dropping (the server notices by heartbeat and sends presence:update). While this
// page itself is offline the list says "unknown" rather than show stale news.

import { api, onEvent, personId, t } from "./live.js";

const list = document.getElementById("presence-list");
const watched = (list?.dataset.watch || "").split(/\s+/).filter(Boolean);
const people = new Map(); // person_id -> {role, online}
let connected = false;

function render() {
  const items = watched.map((role) => {
    const label = t(`role_${role}`);
    const online = [...people.values()].some((p) => p.role === role && p.online);
    const li = document.createElement("li");
    li.dataset.role = role;
    li.dataset.online = connected ? String(online) : "unknown";
    if (!connected) li.textContent = `? ${t("role_unknown", { role: label })}`;
    else if (online) li.textContent = `● ${t("role_online", { role: label })}`;
    else li.textContent = `✖ ${t("role_offline", { role: label })}`;
    return li;
  });
  list.replaceChildren(...items);
}

function take(entry) {
  if (!entry || entry.person_id === undefined) return;
  if (String(entry.person_id) === personId) return;
  people.set(entry.person_id, { role: entry.role, online: Boolean(entry.online) });
}

async function load() {
  try {
    const { status, body } = await api("GET", "/api/presence");
    if (status !== 200) return;
    const entries = Array.isArray(body) ? body : body?.people || body?.presence || [];
    people.clear();
    entries.forEach(take);
    render();
  } catch {
    /* offline: shown as unknown until the socket is back */
  }
}

if (personId && list && watched.length) {
  onEvent("presence:update", (entry) => {
    take(entry);
    render();
  });
  onEvent("connection", ({ connected: now }) => {
    connected = now;
    render();
    if (now) load();
  });
  render();
}
