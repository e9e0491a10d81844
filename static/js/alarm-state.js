// The alerts this page holds and what each asks of me: the latest view of each alert I may
// see, the ones waiting for my attention (oldest first), and the rules that say which ring,
// which I may acknowledge or resolve, and which I closed without handling.

import { personId } from "./live.js";
import { isMine } from "./outbox.js";

const DISMISSED_KEY = `ictool.dismissed.${personId}`;

/** May this page acknowledge and resolve (the IC's and the ADs')? */
export const canHandle = document.getElementById("alarm")?.dataset.canHandle === "true";
export const alerts = new Map(); // id -> latest view I may see
export const ringing = []; // ids waiting for my attention, oldest first

export function mineOf(view) {
  return view.mine === true || isMine(view);
}

/** Rings until someone acknowledges it (a masked concern is the IC's: told, not rung). */
export function loud(view) {
  return Boolean(view) && view.state === "open" && !view.restricted && !mineOf(view);
}

/** An alert I should acknowledge now. Others told on escalation (producer, director) may
 * only silence their own phone: acknowledging is the IC's and the ADs' job. */
export function needsAck(view) {
  return loud(view) && canHandle;
}

export function canResolve(view) {
  return canHandle && Boolean(view) && view.state !== "resolved" && !view.restricted;
}

export function senderKey(view) {
  return view.sender ? `p${view.sender.id}` : "withheld";
}

/** The open alerts of this alert's sender that I could acknowledge (for "Acknowledge all"). */
export function waitingFrom(view) {
  if (!canHandle || !view?.sender) return [];
  return [...alerts.values()].filter((v) => v.sender?.id === view.sender.id && needsAck(v));
}

/** A sender whose concerns already ring three times rings no more: the rest wait, listed
 * under their name with "Acknowledge all". */
export function crowded(view) {
  if (view.kind !== "concern") return false;
  const key = senderKey(view);
  return ringing.filter((i) => alerts.has(i) && senderKey(alerts.get(i)) === key).length >= 3;
}

/** Alerts I closed without handling (a masked concern; a producer's escalation): they come
 * back only when they ring again (escalation), not on every reconnect or reload. */
export function dismissed() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) || "[]"));
  } catch {
    return new Set();
  }
}

export function dismiss(id) {
  const ids = dismissed();
  ids.add(id);
  try {
    sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...ids].slice(-100)));
  } catch {
    /* storage refused: it may show again after a reload */
  }
}
