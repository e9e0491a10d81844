// The live feed of open alerts on the IC's and the ADs' pages: grouped by sender (a flood
// from one never hides another's), pauses and withdrawals first, a sender's further alerts
// folded behind "Show all", "Acknowledge all" where more than one waits; it keeps the "now"
// strip's count too. A button on an alert opens it in the alarm.
// API: hasFeed, renderFeed().

import { ackSender } from "./alarm-actions.js";
import { show } from "./alarm-dialog.js";
import { alerts, canHandle, needsAck, ringing, senderKey } from "./alarm-state.js";
import { kindTitle, message, sceneLine, senderLine, stateLine, timeLine } from "./alert-words.js";
import { t } from "./live.js";

const feedList = document.getElementById("alert-feed-list");
const feedEmpty = document.getElementById("alert-feed-empty");
const SHOWN_PER_SENDER = 3; // a sender's further open alerts fold behind "Show all"
const expanded = new Set(); // senders whose every open alert is shown
let feedQueued = false;

/** Does this page have the feed? */
export const hasFeed = Boolean(feedList);

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

/** Pauses and withdrawals first, then the oldest. */
function urgency(a, b) {
  const rank = (v) => (v.kind === "concern" || v.restricted ? 1 : 0);
  return rank(a) - rank(b) || String(a.raised_at).localeCompare(String(b.raised_at));
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

/** Redraw the feed once after a burst of changes (a page of 500 is one redraw). */
export function renderFeed() {
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
