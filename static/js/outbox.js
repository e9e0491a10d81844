// The honest outbox: a PAUSE or CONCERN is written to localStorage with its client_id
// BEFORE anything is sent, then sent over the socket (else POST /api/alerts), and retried on
// reconnect, on `online`, when the page is visible again and on a timer, until the server
// answers 200/201. Only then is it removed. The same client_id makes every retry the same
// alert on the server, so it arrives exactly once; nothing here ever claims "sent" early.
//
// A confirmed alert is offered again, by the same client_id, after a reconnect and to the
// set's other server after a failover, for REOFFER_MS: a server that died just after saying
// "saved" may not have copied it to its standby yet (200: it had; 201: it has now). A
// concern's words are never kept after confirmation, so it is offered again without them.
// After that window the request is dropped; only the slim status stays.
//
// API: raise(fields) -> record, pending(), sent(), reofferable(), isMine(view), onChange(fn),
// flush().

import { deliver } from "./deliver.js";
import { api, onEvent, personId } from "./live.js";

const OUTBOX_KEY = `ictool.outbox.${personId}`;
const SENT_KEY = `ictool.sent.${personId}`;
const KEEP_SENT = 20;
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 10000;
const REOFFER_MS = 10 * 60 * 1000; // longer than any replication lag the IC is not warned of
const listeners = new Set();
const inFlight = new Set();
let flushing = false;
let flushAgain = false;
let retryTimer = null;
let retryDelay = RETRY_MIN_MS;

// Where localStorage refuses (private mode, full), keep the lists in memory: the alert is
// still sent and retried while the page is open, it just cannot outlive a reload.
const memory = new Map();

function read(key) {
  if (memory.has(key)) return structuredClone(memory.get(key));
  try {
    const value = JSON.parse(localStorage.getItem(key) || "[]");
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

function write(key, list) {
  try {
    if (memory.has(key)) throw new Error("storage refused before");
    localStorage.setItem(key, JSON.stringify(list));
  } catch {
    memory.set(key, structuredClone(list));
  }
}

function notify() {
  for (const fn of listeners) {
    try {
      fn();
    } catch (err) {
      console.error("ictool: outbox listener failed", err);
    }
  }
}

/** Call `fn()` whenever the outbox or a sent alert changes. */
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Alerts saved on this device and not yet confirmed by the server (oldest first). */
export function pending() {
  return read(OUTBOX_KEY).map((item) => ({ ...item, inFlight: inFlight.has(item.client_id) }));
}

/** Alerts the server confirmed, with their latest view (newest last). */
export function sent() {
  return read(SENT_KEY);
}

/** Was this alert raised from this device (by client_id) or by me? */
export function isMine(view) {
  if (!view) return false;
  if (view.mine === true) return true;
  if (view.sender && String(view.sender.id) === personId) return true;
  const id = view.client_id;
  return Boolean(id) && [...read(OUTBOX_KEY), ...read(SENT_KEY)].some((r) => r.client_id === id);
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID(); // secure contexts only
  const b = crypto.getRandomValues(new Uint8Array(16)); // plain HTTP on the set's LAN
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Save an alert on the device first, then try to send it; returns its record. */
export function raise(fields) {
  const record = {
    client_id: uuid(),
    payload: { ...fields },
    created_at: new Date().toISOString(),
    attempts: 0,
    error: null,
  };
  record.payload.client_id = record.client_id;
  write(OUTBOX_KEY, [...read(OUTBOX_KEY), record]);
  notify();
  flush();
  return record;
}

// What is kept of a confirmed alert: its progress, never its words (a phone may be shared).
const KEPT = ["id", "seq", "client_id", "kind", "audience", "anonymous", "state", "raised_at"];
const KEPT_PROGRESS = [
  "mine",
  "delivered_to_ad",
  "delivered_to_ic",
  "acknowledged_by",
  "acknowledged_by_role",
  "resolved_by",
  "resolved_by_role",
];

function slim(view) {
  const out = {};
  for (const key of [...KEPT, ...KEPT_PROGRESS, "resolved_at"]) {
    if (key in view) out[key] = view[key];
  }
  return out;
}

function confirm(sentId, fullView) {
  const view = slim(fullView);
  const outbox = read(OUTBOX_KEY);
  const item = outbox.find((r) => r.client_id === sentId);
  write(OUTBOX_KEY, outbox.filter((r) => r.client_id !== sentId));
  // a second pause while mine is open is the same alert ("already paused"): one entry
  const clientId = view.client_id || sentId;
  const list = read(SENT_KEY);
  const found = list.find((r) => r.client_id === clientId);
  const until = Date.now() + REOFFER_MS;
  const reoffer = item ? { payload: withoutWords(item.payload), until } : undefined;
  if (found) {
    if (!found.view || (view.seq ?? 0) >= (found.view.seq ?? 0)) found.view = view;
  } else {
    list.push({
      client_id: clientId,
      kind: view.kind,
      audience: view.audience,
      created_at: item?.created_at || view.raised_at,
      view,
      reoffer,
    });
  }
  write(SENT_KEY, expire(list).slice(-KEEP_SENT));
}

// A confirmed concern is offered again without its words: once sent, the words leave the
// phone (it may be shared); the kind, preset, audience and anonymity are enough to restore it.
function withoutWords(payload) {
  const { text: _words, ...rest } = payload;
  return rest;
}

function expire(list) {
  const now = Date.now();
  for (const r of list) if (r.reoffer && r.reoffer.until < now) delete r.reoffer;
  return list;
}

/** Confirmed alerts still offered again after a reconnect or failover: {client_id,
 * payload, created_at}, oldest first. */
export function reofferable() {
  const now = Date.now();
  return read(SENT_KEY)
    .filter((r) => r.reoffer && r.reoffer.until >= now)
    .map((r) => ({ client_id: r.client_id, payload: r.reoffer.payload, created_at: r.created_at }));
}

async function reofferAll() {
  write(SENT_KEY, expire(read(SENT_KEY)));
  for (const item of reofferable()) {
    try {
      const { status, body } = await api("POST", "/api/alerts", item.payload);
      if (CONFIRMED.has(status) && body && body.id) confirm(item.client_id, body);
    } catch {
      /* offline again: the next reconnect offers it again */
    }
  }
  notify();
}

function reject(clientId, message) {
  const list = read(OUTBOX_KEY);
  const item = list.find((r) => r.client_id === clientId);
  write(OUTBOX_KEY, list.filter((r) => r.client_id !== clientId));
  if (item) {
    const sentList = read(SENT_KEY);
    const kind = item.payload.kind; // the refusal is kept, the words are not
    const error = message || "error";
    const created_at = item.created_at;
    sentList.push({ client_id: clientId, kind, created_at, payload: { kind }, error });
    write(SENT_KEY, sentList.slice(-KEEP_SENT));
  }
}

const CONFIRMED = new Set([200, 201]);
// A definite "no" from the server: retrying the same request cannot succeed.
const REFUSED = new Set([400, 401, 403, 404, 409, 413, 422]);

async function sendOne(item) {
  // over the socket, else POST /api/alerts; only a confirmation or a definite "no" is final
  const reply = await deliver("alert:raise", item.payload, "/api/alerts", {
    answered: (status) => CONFIRMED.has(status) || REFUSED.has(status),
  });
  if (reply && CONFIRMED.has(reply.status) && reply.alert) {
    confirm(item.client_id, reply.alert);
    return true;
  }
  if (reply && REFUSED.has(reply.status)) {
    reject(item.client_id, reply.error);
    return true;
  }
  const list = read(OUTBOX_KEY);
  const stored = list.find((r) => r.client_id === item.client_id);
  if (stored) {
    stored.attempts += 1;
    stored.last_try = new Date().toISOString();
    write(OUTBOX_KEY, list);
  }
  return false;
}

/** Try to send everything still in the outbox (one pass at a time). */
export async function flush() {
  if (flushing) {
    flushAgain = true;
    return;
  }
  flushing = true;
  let allDone = true;
  try {
    do {
      flushAgain = false;
      allDone = true;
      for (const item of read(OUTBOX_KEY)) {
        inFlight.add(item.client_id);
        notify();
        try {
          if (!(await sendOne(item))) allDone = false;
        } finally {
          inFlight.delete(item.client_id);
          notify();
        }
      }
    } while (flushAgain);
  } finally {
    flushing = false;
    scheduleRetry(allDone);
  }
}

function scheduleRetry(success) {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (read(OUTBOX_KEY).length === 0) {
    retryDelay = RETRY_MIN_MS;
    return;
  }
  retryDelay = success ? RETRY_MIN_MS : Math.min(RETRY_MAX_MS, Math.round(retryDelay * 1.5));
  retryTimer = setTimeout(flush, retryDelay);
}

function retryNow() {
  retryDelay = RETRY_MIN_MS;
  if (read(OUTBOX_KEY).length) flush();
}

/** Keep my sent alerts' status current from live events; a view of one still in the
 * outbox is the server's confirmation too (it publishes only committed rows). */
function track(view) {
  if (!view || !view.client_id) return;
  const known = [...read(OUTBOX_KEY), ...read(SENT_KEY)].some(
    (r) => r.client_id === view.client_id,
  );
  if (!known) return;
  confirm(view.client_id, view);
  notify();
}

/** A new alert of mine raised elsewhere (a consent withdrawal is raised by the server):
 * followed on the status line like the ones this device sent. */
function trackNew(view) {
  if (!view || !view.client_id || view.mine !== true) return;
  confirm(view.client_id, view);
  notify();
}

if (personId) {
  onEvent("alert:new", trackNew);
  onEvent("alert:update", track);
  onEvent("alerts:synced", (views) => views.forEach(track));
  let wasDisconnected = false;
  onEvent("connection", ({ connected }) => {
    if (!connected) {
      wasDisconnected = true;
      return;
    }
    retryNow();
    if (wasDisconnected) reofferAll(); // the server may have been replaced meanwhile
    wasDisconnected = false;
  });
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") retryNow();
  });
  window.addEventListener("storage", (event) => {
    if (event.key === OUTBOX_KEY || event.key === SENT_KEY) notify();
  });
  const signout = document.querySelector("form[data-signout]");
  if (signout) signout.addEventListener("submit", () => write(SENT_KEY, []));
  retryNow(); // anything left from before a reload or a crash
}
