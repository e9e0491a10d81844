// Failover: the set's servers, and moving to a live one when this one stops answering.
//
// A signed-in page learns the set's server addresses and its failover ticket
// (GET /api/servers) and keeps them on the device. It asks this server every few seconds
// whether it is live (GET /api/alive), every 2 s once the live connection has dropped; after
// three silences in a row it asks the others, in
// order, and moves to the first that answers "live", saying which one. It takes along what
// this device has not seen confirmed and what was confirmed in the last minutes (the
// outbox's re-offer window), so the other server gets each of them again by client_id.
// Promotion of a standby is a person's decision: a standby answers "standby", never "live",
// so a phone never moves to it before the IC has promoted it.

import { isConnected, onEvent, personId } from "./live.js";
import { pending, reofferable } from "./outbox.js";

const KEY = "ictool.servers";
const CHECK_MS = 5000; // while the live connection is up
const CHECK_OFFLINE_MS = 2000; // once it has dropped: three silences take about 6 s
const MISSES = 3;
const note = document.getElementById("failover");
let misses = 0;
let moving = false;

function origin(url) {
  try {
    return new URL(url, location.href).origin;
  } catch {
    return "";
  }
}

function say(template, server) {
  if (!note) return;
  note.querySelector("[data-text]").textContent = template.replace("{server}", server || "");
  note.hidden = false;
}

async function learn() {
  try {
    const r = await fetch("/api/servers", { credentials: "same-origin", cache: "no-store" });
    if (r.ok) localStorage.setItem(KEY, JSON.stringify(await r.json()));
  } catch {
    /* offline: keep what this device learnt before */
  }
}

function known() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || "null");
  } catch {
    return null;
  }
}

async function isLive(base) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 3000);
  try {
    const r = await fetch(`${base}/api/alive`, { cache: "no-store", signal: controller.signal });
    return r.ok && (await r.json()).mode === "live";
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function carried() {
  const items = [...pending(), ...reofferable()].map((r) => ({
    client_id: r.client_id,
    payload: r.payload,
    created_at: r.created_at,
  }));
  return btoa(unescape(encodeURIComponent(JSON.stringify(items))));
}

async function check() {
  if (moving) return;
  if (await isLive(location.origin)) {
    misses = 0;
    if (note && note.dataset.state === "trying") note.hidden = true;
    return;
  }
  misses += 1;
  const set = known();
  if (misses < MISSES || !set || !note) return;
  note.dataset.state = "trying";
  say(note.dataset.trying);
  for (const base of set.servers || []) {
    if (origin(base) === location.origin) continue;
    if (await isLive(origin(base))) {
      moving = true;
      note.dataset.state = "moving";
      say(note.dataset.using, new URL(base).host);
      const hash = new URLSearchParams({ t: set.ticket || "", c: carried() });
      setTimeout(() => location.assign(`${origin(base)}/failover#${hash}`), 1500);
      return;
    }
  }
  say(note.dataset.none);
}

if (personId) {
  learn();
  onEvent("connection", ({ connected }) => connected && learn());
  const loop = async () => {
    await check();
    setTimeout(loop, isConnected() ? CHECK_MS : CHECK_OFFLINE_MS);
  };
  setTimeout(loop, CHECK_MS);
  const signout = document.querySelector("form[data-signout]");
  // a shared phone: the next person must not inherit this one's ticket
  if (signout) signout.addEventListener("submit", () => localStorage.removeItem(KEY));
  const arrived = sessionStorage.getItem("ictool.failover.from");
  if (arrived && note) {
    sessionStorage.removeItem("ictool.failover.from");
    say(note.dataset.now, location.host);
  }
}
