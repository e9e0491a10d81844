// The receiving side: a full-screen alarm (alarm-dialog.js) with a sound made in the page,
// vibration and a screen wake lock (alarm-sound.js) repeating until acknowledged; one-tap
// Acknowledge, then Resolve with an optional note. The IC's and ADs' pages also get a live
// feed of the open alerts (alarm-feed.js). Every alert:new that is not mine, and every
// escalation that first reaches me, is answered with alert:received (alarm-receipts.js).
// This module takes in every view of an alert (live, synced, loaded) and decides what it
// asks of me (alarm-state.js).

import { next, renderOverlay, ring, show, shownId, unring, wireDialog } from "./alarm-dialog.js";
import { hasFeed, renderFeed } from "./alarm-feed.js";
import { received } from "./alarm-receipts.js";
import { armSound } from "./alarm-sound.js";
import { alerts, crowded, dismissed, loud, mineOf, ringing } from "./alarm-state.js";
import { api, onEvent, personId } from "./live.js";

const overlay = document.getElementById("alarm");

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
    if (shownId() === view.id) {
      // handled: go on to the next alert still ringing, else stay here to resolve it
      if (view.state === "resolved" || ringing.some((i) => loud(alerts.get(i)))) next();
      else renderOverlay();
    } else if (wasRinging && shownId() === null) next();
  } else if (shownId() === view.id) renderOverlay();
  renderFeed();
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
  onEvent("connection", ({ connected }) => connected && hasFeed && loadOpen());
  wireDialog((view) => accept(view, false));
  armSound();
  if (hasFeed) {
    renderFeed();
    loadOpen();
  }
}
