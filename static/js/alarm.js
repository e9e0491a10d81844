// The receiving side: a full-screen alarm (role=alertdialog, focus moved to it) with a sound
// made in the page (WebAudio beeps, no network fetch) repeating until acknowledged, vibration
// and a screen wake lock where the phone has them; one-tap Acknowledge, then Resolve with an
// optional note. The IC's and ADs' pages also get a live feed of the open alerts.
// Every alert:new that is not mine, and every escalation that first reaches me, is answered
// with alert:received ("delivered to the device").

import { api, emitWithAck, isConnected, onEvent, personId, t } from "./live.js";
import { isMine } from "./outbox.js";

const BEEP_EVERY_MS = 1600;
const overlay = document.getElementById("alarm");
const feedList = document.getElementById("alert-feed-list");
const feedEmpty = document.getElementById("alert-feed-empty");
const soundBtn = document.getElementById("alarm-sound-on");
const $ = (id) => document.getElementById(id);
const canHandle = overlay?.dataset.canHandle === "true";
const DISMISSED_KEY = `ictool.dismissed.${personId}`;
// Times in the page's language (24-hour where it is the custom), not the phone's settings
const CLOCK = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  hour: "numeric",
  minute: "2-digit",
  second: "2-digit",
});

const alerts = new Map(); // id -> latest view I may see
const ringing = []; // ids waiting for my attention, oldest first
let shownId = null;
let beepTimer = null;
let audio = null;
let wakeLock = null;
let restoreFocus = null;
let titleBefore = document.title;

// ---- sound, vibration, wake lock -------------------------------------------------------

function discreet() {
  return document.documentElement.classList.contains("discreet");
}

function audioContext() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  if (!audio) audio = new Ctx();
  return audio;
}

/** Browsers start sound only after a tap: any tap on the page arms the alarm sound. */
function unlockAudio() {
  const ctx = audioContext();
  if (ctx && ctx.state !== "running") ctx.resume().then(updateSoundButton, () => {});
  updateSoundButton();
}

function updateSoundButton() {
  if (!soundBtn) return;
  soundBtn.hidden = Boolean(audio && audio.state === "running") || discreet();
}

function tone(ctx, at, freq, seconds) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "square";
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(0.35, at + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + seconds);
  osc.connect(gain).connect(ctx.destination);
  osc.start(at);
  osc.stop(at + seconds + 0.02);
}

function beep() {
  if (discreet()) return;
  const ctx = audioContext();
  if (ctx && ctx.state === "running") {
    const at = ctx.currentTime + 0.02;
    tone(ctx, at, 880, 0.18);
    tone(ctx, at + 0.25, 660, 0.18);
    tone(ctx, at + 0.5, 880, 0.3);
  }
  if (navigator.vibrate) {
    try {
      navigator.vibrate([300, 120, 300, 120, 600]);
    } catch {
      /* no vibration here */
    }
  }
}

function startRinging() {
  if (beepTimer) return;
  beep();
  beepTimer = setInterval(beep, BEEP_EVERY_MS);
}

function stopRinging() {
  clearInterval(beepTimer);
  beepTimer = null;
  if (navigator.vibrate) navigator.vibrate(0);
}

async function keepAwake() {
  if (!("wakeLock" in navigator) || wakeLock || document.visibilityState !== "visible") return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
    wakeLock.addEventListener("release", () => {
      wakeLock = null;
    });
  } catch {
    wakeLock = null; // not allowed here (no HTTPS, battery saver): the alarm still shows
  }
}

function letSleep() {
  if (wakeLock) wakeLock.release().catch(() => {});
  wakeLock = null;
}

// ---- words for a view ------------------------------------------------------------------

function name(value) {
  if (!value) return "";
  return typeof value === "object" ? value.name || "" : String(value);
}

function kindTitle(view) {
  if (view.restricted) return t("concern_title");
  if (view.kind === "withdrawal") return t("withdrawal_title");
  return view.kind === "concern" ? t("concern_title") : t("pause_title");
}

function presetLabel(code) {
  const key = `preset_${code}`;
  const label = t(key);
  return label === key ? code : label;
}

function message(view) {
  if (view.restricted) return t("masked");
  const parts = [];
  if (view.preset) parts.push(presetLabel(view.preset));
  if (view.text) parts.push(view.text);
  return parts.join(" — ");
}

function sceneLine(view) {
  if (view.restricted) return "";
  return view.scene ? t("scene", { n: view.scene.number }) : t("no_scene");
}

function timeLine(view) {
  const at = new Date(view.raised_at);
  const time = Number.isNaN(at.getTime()) ? view.raised_at : CLOCK.format(at);
  return t("raised_at", { time });
}

function senderLine(view) {
  if (view.restricted) return "";
  if (view.mine) return t("you");
  return view.sender ? t("from", { name: name(view.sender) }) : t("withheld");
}

function stateLine(view) {
  if (view.state === "resolved") {
    return view.resolved_by ? t("resolved_by", { name: name(view.resolved_by) }) : t("resolved");
  }
  if (view.state === "acknowledged") {
    return view.acknowledged_by
      ? t("acknowledged_by", { name: name(view.acknowledged_by) })
      : t("acknowledged");
  }
  if (view.restricted) return ""; // the IC is attending: nothing for this screen to do
  return view.escalation_level > 0 ? t("escalated") : t("state_open");
}

// ---- the overlay ------------------------------------------------------------------------

function setInert(on) {
  // the page's own parts: the body's children, and those of the .layout wrapper (main, feed)
  const parts = [...document.body.children].flatMap((el) =>
    el.classList.contains("layout") ? [...el.children] : [el],
  );
  for (const el of parts) {
    if (el !== overlay && el.tagName !== "TEMPLATE" && el.tagName !== "DIALOG") el.inert = on;
  }
}

/** Rings until someone acknowledges it (a masked concern is the IC's: told, not rung). */
function loud(view) {
  return Boolean(view) && view.state === "open" && !view.restricted && !mineOf(view);
}

function mineOf(view) {
  return view.mine === true || isMine(view);
}

/** An alert I should acknowledge now. Others told on escalation (producer, director) may
 * only silence their own phone: acknowledging is the IC's and the ADs' job. */
function needsAck(view) {
  return loud(view) && canHandle;
}

function canResolve(view) {
  return canHandle && Boolean(view) && view.state !== "resolved" && !view.restricted;
}

/** The open alerts of this alert's sender that I could acknowledge (for "Acknowledge all"). */
function waitingFrom(view) {
  if (!canHandle || !view?.sender) return [];
  return [...alerts.values()].filter((v) => v.sender?.id === view.sender.id && needsAck(v));
}

function renderOverlay() {
  const view = alerts.get(shownId);
  if (!view) return;
  overlay.dataset.alertId = String(view.id);
  overlay.dataset.kind = view.restricted ? "masked" : view.kind;
  overlay.dataset.state = view.state;
  $("alarm-kind").textContent = kindTitle(view);
  $("alarm-message").textContent = message(view);
  $("alarm-scene").textContent = sceneLine(view);
  $("alarm-time").textContent = timeLine(view);
  $("alarm-sender").textContent = senderLine(view);
  $("alarm-state").textContent = stateLine(view);
  const others = ringing.filter((id) => id !== shownId).length;
  $("alarm-more").textContent = others ? t("more", { n: others }) : "";
  const ackable = needsAck(view);
  $("alarm-ack").hidden = !ackable;
  const fromSender = waitingFrom(view);
  const ackAll = $("alarm-ack-all");
  ackAll.hidden = !ackable || fromSender.length < 2;
  if (!ackAll.hidden) {
    ackAll.textContent = t("ack_all", { n: fromSender.length, name: view.sender.name });
  }
  $("alarm-resolve-form").hidden = ackable;
  $("alarm-note-wrap").hidden = !canResolve(view);
  $("alarm-resolve").hidden = !canResolve(view);
  if (!ackable && !canResolve(view) && overlay.contains(document.activeElement)) {
    $("alarm-close").focus();
  }
}

function show(id) {
  const wasHidden = overlay.hidden;
  shownId = id;
  $("alarm-error").textContent = "";
  $("alarm-note").value = "";
  renderOverlay();
  if (wasHidden) {
    const concern = document.getElementById("concern-dialog");
    if (concern?.open) concern.close(); // a modal dialog would sit above the alarm
    restoreFocus = document.activeElement;
    titleBefore = document.title;
    overlay.hidden = false;
    setInert(true);
  }
  document.title = `⚠ ${kindTitle(alerts.get(id))}`;
  const view = alerts.get(id);
  if (needsAck(view)) $("alarm-ack").focus();
  else if (canResolve(view)) $("alarm-note").focus();
  else $("alarm-close").focus();
}

function hide() {
  overlay.hidden = true;
  shownId = null;
  setInert(false);
  document.title = titleBefore;
  stopRinging();
  letSleep();
  if (restoreFocus && document.contains(restoreFocus)) restoreFocus.focus();
  restoreFocus = null;
}

/** Show the oldest alert still ringing, or close the overlay when none is left. */
function next() {
  const id =
    ringing.find((i) => loud(alerts.get(i))) ??
    ringing.find((i) => alerts.has(i) && alerts.get(i).state !== "resolved");
  if (id === undefined) {
    hide();
    return;
  }
  show(id);
  if (loud(alerts.get(id))) startRinging();
  else stopRinging();
  keepAwake();
}

function ring(id) {
  if (!ringing.includes(id)) ringing.push(id);
  // a loud alarm takes the screen; a quiet notice waits behind the alert on screen (someone
  // may be writing its resolution note)
  if (overlay.hidden || (!loud(alerts.get(shownId)) && loud(alerts.get(id)))) next();
  else renderOverlay();
  if (!loud(alerts.get(id))) beep(); // a masked concern: told once, not rung
}

function unring(id) {
  const at = ringing.indexOf(id);
  if (at >= 0) ringing.splice(at, 1);
  if (!ringing.some((i) => loud(alerts.get(i)))) stopRinging();
}

// ---- actions ---------------------------------------------------------------------------

async function act(action, id, body) {
  const path = `/api/alerts/${id}/${action}`;
  let reply = null;
  if (isConnected()) {
    try {
      reply = await emitWithAck(`alert:${action}`, { id, ...body }, 4000);
    } catch {
      reply = null;
    }
  }
  if (!reply || !reply.status || reply.status >= 500) {
    try {
      const { status, body: data } = await api("POST", path, body || {});
      const view = data && (data.alert || (data.id ? data : null));
      reply = { status, alert: view, error: data?.error };
    } catch {
      reply = null;
    }
  }
  if (reply && reply.status < 300 && reply.alert) {
    accept(reply.alert, false);
    return null;
  }
  return reply?.error || t("net_error");
}

async function onAck() {
  const id = shownId;
  const button = $("alarm-ack");
  button.disabled = true;
  stopRinging();
  const error = await act("ack", id);
  button.disabled = false;
  $("alarm-error").textContent = error || "";
  if (error && loud(alerts.get(id))) startRinging();
  if (shownId === id) renderOverlay();
  if (!error && shownId === id) $("alarm-note").focus();
}

async function onResolve(event) {
  event.preventDefault();
  const id = shownId;
  const note = $("alarm-note").value.trim();
  const error = await act("resolve", id, note ? { note } : {});
  $("alarm-error").textContent = error || "";
  if (!error) {
    unring(id);
    next();
  }
}

/** Alerts I closed without handling (a masked concern; a producer's escalation): they come
 * back only when they ring again (escalation), not on every reconnect or reload. */
function dismissed() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) || "[]"));
  } catch {
    return new Set();
  }
}

function dismiss(id) {
  const ids = dismissed();
  ids.add(id);
  try {
    sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...ids].slice(-100)));
  } catch {
    /* storage refused: it may show again after a reload */
  }
}

function onClose() {
  if (alerts.get(shownId)?.state === "open") dismiss(shownId);
  unring(shownId);
  next();
}

function trapFocus(event) {
  if (overlay.hidden) return;
  if (event.key === "Escape") {
    event.preventDefault();
    if (!needsAck(alerts.get(shownId))) onClose(); // an open alarm needs Acknowledge
    return;
  }
  if (event.key !== "Tab") return;
  const focusable = [...overlay.querySelectorAll("button, textarea")].filter(
    (el) => !el.disabled && el.offsetParent !== null,
  );
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  } else if (!overlay.contains(document.activeElement)) {
    event.preventDefault();
    first.focus();
  }
}

// ---- the feed --------------------------------------------------------------------------

function feedItem(view) {
  const li = document.createElement("li");
  li.className = "feed-item";
  li.dataset.state = view.state;
  li.dataset.kind = view.restricted ? "masked" : view.kind;
  const title = document.createElement("strong");
  title.textContent = kindTitle(view);
  const lines = [message(view), sceneLine(view), timeLine(view), senderLine(view), stateLine(view)];
  li.append(title);
  for (const text of lines.filter(Boolean)) {
    const span = document.createElement("span");
    span.textContent = text;
    li.append(" · ", span);
  }
  if (!view.restricted && canHandle) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn small";
    button.textContent = needsAck(view) ? t("acknowledge") : t("resolve");
    button.addEventListener("click", () => {
      if (!ringing.includes(view.id)) ringing.unshift(view.id);
      show(view.id);
    });
    li.append(" ", button);
  }
  return li;
}

const SHOWN_PER_SENDER = 3; // a sender's further open alerts fold behind "Show all"
const expanded = new Set(); // senders whose every open alert is shown

function senderKey(view) {
  return view.sender ? `p${view.sender.id}` : "withheld";
}

/** Pauses and withdrawals first, then the oldest. */
function urgency(a, b) {
  const rank = (v) => (v.kind === "concern" || v.restricted ? 1 : 0);
  return rank(a) - rank(b) || String(a.raised_at).localeCompare(String(b.raised_at));
}

async function ackSender(senderId, button) {
  button.disabled = true;
  let reply = null;
  if (isConnected()) {
    try {
      reply = await emitWithAck("alert:ack_sender", { sender_id: senderId }, 15000);
    } catch {
      reply = null;
    }
  }
  if (!reply || !reply.status || reply.status >= 500) {
    try {
      const { status, body } = await api("POST", "/api/alerts/acknowledge-sender", {
        sender_id: senderId,
      });
      reply = { status, error: body?.error };
    } catch {
      reply = null;
    }
  }
  button.disabled = false;
  if (!reply || reply.status >= 300) button.title = reply?.error || t("net_error");
  // the acknowledged alerts come back as alert:update, one each
}

/** One sender's open alerts: a heading with the count, "Acknowledge all" when more than
 * one waits, their most urgent few, and the rest behind "Show all". */
function feedGroup(key, views) {
  const li = document.createElement("li");
  li.className = "feed-group";
  const head = document.createElement("p");
  head.className = "feed-group-head";
  const who = views[0].sender ? views[0].sender.name : t("withheld");
  const strong = document.createElement("strong");
  strong.textContent = t("group", { name: who, n: views.length });
  head.append(strong);
  const waiting = views.filter((v) => needsAck(v));
  if (canHandle && views[0].sender && waiting.length > 1) {
    const all = document.createElement("button");
    all.type = "button";
    all.className = "btn small";
    all.textContent = t("ack_all", { n: waiting.length, name: who });
    all.addEventListener("click", () => ackSender(views[0].sender.id, all));
    head.append(" ", all);
  }
  const list = document.createElement("ul");
  list.className = "plain";
  const shown = expanded.has(key) ? views : views.slice(0, SHOWN_PER_SENDER);
  list.append(...shown.map(feedItem));
  li.append(head, list);
  if (shown.length < views.length) {
    const more = document.createElement("button");
    more.type = "button";
    more.className = "btn small";
    more.textContent = t("show_all", { n: views.length });
    more.addEventListener("click", () => {
      expanded.add(key);
      renderFeed();
    });
    li.append(more);
  }
  return li;
}

let feedQueued = false;

/** Redraw the feed once after a burst of changes (a page of 500 is one redraw). */
function renderFeed() {
  if (!feedList || feedQueued) return;
  feedQueued = true;
  setTimeout(() => {
    feedQueued = false;
    drawFeed();
  }, 0);
}

/** Every open alert, grouped by sender (a flood from one never hides another's). */
function drawFeed() {
  const groups = new Map();
  for (const view of alerts.values()) {
    if (view.state === "resolved") continue;
    const key = senderKey(view);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(view);
  }
  for (const views of groups.values()) views.sort(urgency);
  const ordered = [...groups.entries()].sort(([, a], [, b]) => urgency(a[0], b[0]));
  feedList.replaceChildren(...ordered.map(([key, views]) => feedGroup(key, views)));
  feedEmpty.hidden = groups.size > 0;
  const open = [...groups.values()].reduce((n, views) => n + views.length, 0);
  const count = document.getElementById("now-alerts"); // the "now" strip's count
  if (count) {
    count.textContent = count.dataset.template.replace("{n}", String(open));
    count.classList.toggle("has-alerts", open > 0);
  }
}

// ---- incoming views ----------------------------------------------------------------------

/** A sender whose concerns already ring three times rings no more: the rest wait, listed
 * under their name with "Acknowledge all". */
function crowded(view) {
  if (view.kind !== "concern") return false;
  const key = senderKey(view);
  return ringing.filter((i) => alerts.has(i) && senderKey(alerts.get(i)) === key).length >= 3;
}

/** Take in the latest view of an alert; `fresh` means it may need my attention now. */
function accept(view, fresh) {
  if (!view || view.id === undefined) return;
  const before = alerts.get(view.id);
  if (before && (before.seq ?? 0) > (view.seq ?? 0)) return; // an older copy arrived late
  alerts.set(view.id, view);
  const mine = mineOf(view);
  const wanted = view.alarm || (fresh && !dismissed().has(view.id) && !crowded(view));
  if (!mine && view.state === "open" && wanted) {
    ring(view.id);
    renderFeed();
    return;
  }
  if (view.state !== "open") {
    const wasRinging = ringing.includes(view.id);
    unring(view.id);
    if (shownId === view.id) {
      // handled: go on to the next alert still ringing, else stay here to resolve it
      if (view.state === "resolved" || ringing.some((i) => loud(alerts.get(i)))) next();
      else renderOverlay();
    } else if (wasRinging && shownId === null) next();
  } else if (shownId === view.id) renderOverlay();
  renderFeed();
}

function received(view) {
  if (!view || view.mine === true || isMine(view)) return;
  if (isConnected()) emitWithAck("alert:received", { id: view.id }, 4000).catch(() => {});
}

/** The alert a link asked for (`?alert=<id>`, as a push notification's link does): shown
 * first, open or acknowledged, once per page load. */
let askedFor = Number.parseInt(new URLSearchParams(location.search).get("alert") || "", 10);

function showAskedFor() {
  if (!Number.isInteger(askedFor) || !alerts.has(askedFor)) return;
  const id = askedFor;
  askedFor = null;
  if (alerts.get(id).state === "resolved") return;
  const at = ringing.indexOf(id);
  if (at >= 0) ringing.splice(at, 1);
  ringing.unshift(id);
  show(id);
}

/** Every open alert, page after page while the server says `more`. */
async function loadOpen() {
  try {
    let after = 0;
    for (let page = 0; page < 10000; page += 1) {
      const { status, body } = await api("GET", `/api/alerts?state=open&after=${after}`);
      if (status !== 200) return;
      const list = Array.isArray(body) ? body : body?.alerts || [];
      for (const view of list) accept(view, view.state === "open");
      if (!body?.more || typeof body.next !== "number" || body.next <= after) break;
      after = body.next;
    }
    showAskedFor();
  } catch {
    /* offline: the socket's sync fills in when it connects */
  }
}

if (personId && overlay) {
  onEvent("alert:new", (view) => {
    received(view);
    accept(view, view.alarm !== false); // a flood's later alerts are listed, not rung
  });
  onEvent("alert:update", (view) => {
    // an escalation reaches me with an update for an alert I never held: it was delivered now
    if (view.alarm && !alerts.has(view.id)) received(view);
    accept(view, false);
  });
  onEvent("alerts:synced", (views) => {
    for (const view of views) {
      if (view.state === "open") received(view);
      accept(view, view.state === "open");
    }
  });
  onEvent("connection", ({ connected }) => connected && feedList && loadOpen());
  $("alarm-ack").addEventListener("click", onAck);
  $("alarm-ack-all").addEventListener("click", (event) => {
    const view = alerts.get(shownId);
    if (view?.sender) ackSender(view.sender.id, event.currentTarget);
  });
  $("alarm-resolve-form").addEventListener("submit", onResolve);
  $("alarm-close").addEventListener("click", onClose);
  document.addEventListener("keydown", trapFocus, true);
  // "click", not "pointerdown": unlocking hides the sound button, and a layout that moves
  // between press and release would send a person's first tap somewhere else.
  document.addEventListener("click", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && beepTimer) keepAwake();
  });
  if (soundBtn) {
    soundBtn.addEventListener("click", () => {
      unlockAudio();
      beep();
    });
    updateSoundButton();
  }
  if (feedList) {
    renderFeed();
    loadOpen();
  }
}
