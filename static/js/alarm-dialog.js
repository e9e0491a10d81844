// The full-screen alarm (role=alertdialog, focus moved to it, the rest of the page inert):
// the alert on screen, how many more wait, one-tap Acknowledge (or Acknowledge all of one
// sender's), then Resolve with an optional note; Close for what is not mine to handle.
// API: show(id), next(), ring(id), unring(id), renderOverlay(), shownId(),
// wireDialog(acceptView).

import { ackSender, act } from "./alarm-actions.js";
import { keepAwake, letSleep, beep, startRinging, stopRinging } from "./alarm-sound.js";
import {
  alerts,
  canResolve,
  dismiss,
  loud,
  needsAck,
  ringing,
  waitingFrom,
} from "./alarm-state.js";
import { kindTitle, message, sceneLine, senderLine, stateLine, timeLine } from "./alert-words.js";
import { t } from "./live.js";

const overlay = document.getElementById("alarm");
const $ = (id) => document.getElementById(id);
let shown = null; // the id of the alert on screen
let restoreFocus = null;
let titleBefore = document.title;
let acceptView = () => {};

/** The id of the alert on screen, or null. */
export function shownId() {
  return shown;
}

function setInert(on) {
  // the page's own parts: the body's children, and those of the .layout wrapper (main, feed)
  const parts = [...document.body.children].flatMap((el) =>
    el.classList.contains("layout") ? [...el.children] : [el],
  );
  for (const el of parts) {
    if (el !== overlay && el.tagName !== "TEMPLATE" && el.tagName !== "DIALOG") el.inert = on;
  }
}

export function renderOverlay() {
  const view = alerts.get(shown);
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
  const others = ringing.filter((id) => id !== shown).length;
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

/** Put alert `id` on screen (opening the alarm if it was closed). */
export function show(id) {
  const wasHidden = overlay.hidden;
  shown = id;
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
  shown = null;
  setInert(false);
  document.title = titleBefore;
  stopRinging();
  letSleep();
  if (restoreFocus && document.contains(restoreFocus)) restoreFocus.focus();
  restoreFocus = null;
}

/** Show the oldest alert still ringing, or close the overlay when none is left. */
export function next() {
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

/** Alert `id` wants my attention. */
export function ring(id) {
  if (!ringing.includes(id)) ringing.push(id);
  // a loud alarm takes the screen; a quiet notice waits behind the alert on screen (someone
  // may be writing its resolution note)
  if (overlay.hidden || (!loud(alerts.get(shown)) && loud(alerts.get(id)))) next();
  else renderOverlay();
  if (!loud(alerts.get(id))) beep(); // a masked concern: told once, not rung
}

/** Alert `id` no longer wants my attention. */
export function unring(id) {
  const at = ringing.indexOf(id);
  if (at >= 0) ringing.splice(at, 1);
  if (!ringing.some((i) => loud(alerts.get(i)))) stopRinging();
}

/** `act` and take in the alert's new view; the error in words, or null. */
async function actOn(action, id, body) {
  const { view, error } = await act(action, id, body);
  if (view) acceptView(view);
  return view ? null : error;
}

async function onAck() {
  const id = shown;
  const button = $("alarm-ack");
  button.disabled = true;
  stopRinging();
  const error = await actOn("ack", id);
  button.disabled = false;
  $("alarm-error").textContent = error || "";
  if (error && loud(alerts.get(id))) startRinging();
  if (shown === id) renderOverlay();
  if (!error && shown === id) $("alarm-note").focus();
}

async function onResolve(event) {
  event.preventDefault();
  const id = shown;
  const note = $("alarm-note").value.trim();
  const error = await actOn("resolve", id, note ? { note } : {});
  $("alarm-error").textContent = error || "";
  if (!error) {
    unring(id);
    next();
  }
}

function onClose() {
  if (alerts.get(shown)?.state === "open") dismiss(shown);
  unring(shown);
  next();
}

function trapFocus(event) {
  if (overlay.hidden) return;
  if (event.key === "Escape") {
    event.preventDefault();
    if (!needsAck(alerts.get(shown))) onClose(); // an open alarm needs Acknowledge
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

/** Attach the buttons and the focus trap; `acceptView(view)` takes in a view an action
 * brought back. */
export function wireDialog(accept) {
  acceptView = accept;
  $("alarm-ack").addEventListener("click", onAck);
  $("alarm-ack-all").addEventListener("click", (event) => {
    const view = alerts.get(shown);
    if (view?.sender) ackSender(view.sender.id, event.currentTarget);
  });
  $("alarm-resolve-form").addEventListener("submit", onResolve);
  $("alarm-close").addEventListener("click", onClose);
  document.addEventListener("keydown", trapFocus, true);
}
