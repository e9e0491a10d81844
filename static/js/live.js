// The one live connection of a signed-in page, shared by every feature.
//
// - Socket.IO, same origin, authenticated by the session cookie.
// - Reconnects at once when the page becomes visible or the network comes back, and drops a
//   socket the browser says has no network (it would only pretend to be connected).
// - Keeps the alert `seq` its last `alert:sync` reached in localStorage and asks for
//   everything after it on every (re)connect, so nothing missed while away is lost. Only a
//   sync reply moves that seq: a live event's seq can overtake an earlier change still on
//   its way, and a socket lost in between would otherwise skip it for good.
// API: onEvent(name, fn), emitWithAck(name, data, timeoutMs), isConnected(), lastSeq(),
// strings: t(key, vars) reads the words the server rendered into <template id=alert-strings>.
// Local events: "connection" {connected}, "alerts:synced" [views].

import { io } from "/static/vendor/socket.io.esm.min.js";

export const personId = document.body.dataset.personId || "";
export const role = document.body.dataset.role || "";

const SEQ_KEY = `ictool.lastSeq.${personId}`;
const WATCHDOG_MS = 5000;
const SYNC_AFTER_LIVE_MS = 1500;
const handlers = new Map();
let socket = null;

/** Call `fn(data)` whenever the server emits `name` (any event, e.g. "scene:clearance"),
 * or one of the local events above; returns a function that stops it. */
export function onEvent(name, fn) {
  if (!handlers.has(name)) handlers.set(name, new Set());
  handlers.get(name).add(fn);
  return () => handlers.get(name).delete(fn);
}

function dispatch(name, data) {
  for (const fn of handlers.get(name) || []) {
    try {
      fn(data);
    } catch (err) {
      console.error(`ictool: handler for ${name} failed`, err);
    }
  }
}

/** Is the socket connected right now? */
export function isConnected() {
  return Boolean(socket && socket.connected);
}

/** The alert seq this device has caught up to (0 when none). */
export function lastSeq() {
  const value = Number(localStorage.getItem(SEQ_KEY));
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function noteSeq(seq) {
  if (typeof seq !== "number" || seq <= lastSeq()) return;
  try {
    localStorage.setItem(SEQ_KEY, String(seq));
  } catch {
    /* storage refused: this page asks from 0 again, and duplicates are harmless */
  }
}

/** Emit and wait for the server's acknowledgement; rejects when offline or on timeout. */
export function emitWithAck(name, data, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    if (!isConnected()) {
      reject(new Error("not connected"));
      return;
    }
    socket.timeout(timeoutMs).emit(name, data, (err, reply) => {
      if (err) reject(err);
      else resolve(reply);
    });
  });
}

let stringsCache = null;

/** A translated string by key, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  if (!stringsCache) {
    stringsCache = new Map();
    const tpl = document.getElementById("alert-strings");
    for (const el of tpl ? tpl.content.querySelectorAll("[data-k]") : []) {
      stringsCache.set(el.dataset.k, el.textContent.trim());
    }
  }
  const text = stringsCache.get(key) ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** Same-origin JSON request with the page's CSRF token; resolves to {status, body}. */
export async function api(method, path, body, timeoutMs = 8000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const meta = document.querySelector('meta[name="csrf-token"]');
  try {
    const response = await fetch(path, {
      method,
      credentials: "same-origin",
      cache: "no-store",
      signal: controller.signal,
      headers: {
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(meta ? { "X-CSRF-Token": meta.content } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    return { status: response.status, body: data };
  } finally {
    clearTimeout(timer);
  }
}

function showConnection(connected) {
  const el = document.getElementById("conn");
  if (el) {
    el.hidden = false;
    el.textContent = connected ? t("online") : t("offline");
    el.classList.toggle("offline", !connected);
    el.dataset.state = connected ? "online" : "offline";
  }
  dispatch("connection", { connected });
}

let syncing = false;
let syncAgain = false; // asked for while one was running: run once more after it
let syncSoon = null;

/** Ask for everything after the seq caught up to, page after page while the server says
 * `more`; the stored seq moves only as far as the pages got, so nothing is skipped. */
async function sync() {
  if (syncing) {
    syncAgain = true;
    return true;
  }
  syncing = true;
  try {
    let since = lastSeq();
    for (let page = 0; page < 10000; page += 1) {
      const reply = await emitWithAck("alert:sync", { since }, 8000);
      if (!reply || reply.status !== 200) return false;
      const views = Array.isArray(reply.alerts) ? reply.alerts : [];
      dispatch("alerts:synced", views);
      for (const view of views) noteSeq(view.seq);
      noteSeq(reply.seq);
      if (!reply.more || typeof reply.seq !== "number" || reply.seq <= since) break;
      since = reply.seq;
    }
    return true;
  } catch {
    return false;
  } finally {
    syncing = false;
    if (syncAgain) {
      // A (re)connect asked while an earlier sync was still out (perhaps on a dead socket).
      syncAgain = false;
      setTimeout(sync, 0);
    }
  }
}

/** Connect again now instead of waiting for the back-off timer. */
export function reconnectNow() {
  if (!socket || socket.connected) return;
  socket.disconnect();
  socket.connect();
}

async function onVisible() {
  if (document.visibilityState !== "visible" || !socket) return;
  if (!socket.connected) {
    reconnectNow();
  } else if (!(await sync())) {
    // A phone that slept may hold a socket that is dead but not yet noticed: start afresh.
    socket.disconnect();
    socket.connect();
  }
}

function start() {
  socket = io({
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    randomizationFactor: 0.3,
    timeout: 8000,
  });
  socket.on("connect", () => {
    showConnection(true);
    sync();
  });
  socket.on("disconnect", () => showConnection(false));
  socket.on("connect_error", () => showConnection(false));
  socket.onAny((name, data) => {
    dispatch(name, data);
    if (name.startsWith("alert:") && data && typeof data.seq === "number") {
      // Catch the stored seq up shortly after a burst of live changes (see the top).
      clearTimeout(syncSoon);
      syncSoon = setTimeout(sync, SYNC_AFTER_LIVE_MS);
    }
  });
  document.addEventListener("visibilitychange", onVisible);
  window.addEventListener("online", reconnectNow);
  window.addEventListener("offline", () => {
    // No network at all: the socket cannot be trusted; the outbox falls back and retries.
    if (socket.connected) socket.disconnect();
    showConnection(false);
  });
  setInterval(() => {
    if (!socket.active && navigator.onLine !== false) socket.connect();
  }, WATCHDOG_MS);
}

if (personId) start();
