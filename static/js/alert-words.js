// The words for an alert's view, from <template id=alert-strings> (live.js's `t`): its kind,
// message, scene, time, sender and state, as the alarm and the feed show them; `name` and
// `resolvedLine` are the sender's status line's too (pause.js).

import { t } from "./live.js";

// Times in the page's language (24-hour where it is the custom), not the phone's settings
const CLOCK = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  hour: "numeric",
  minute: "2-digit",
  second: "2-digit",
});

/** A person's name from a view's {id, name} (or a bare name). */
export function name(value) {
  if (!value) return "";
  return typeof value === "object" ? value.name || "" : String(value);
}

/** "Resolved by Maya", or "Resolved" when who is not shown. */
export function resolvedLine(view) {
  return view.resolved_by ? t("resolved_by", { name: name(view.resolved_by) }) : t("resolved");
}

export function kindTitle(view) {
  if (view.restricted) return t("concern_title");
  if (view.kind === "withdrawal") return t("withdrawal_title");
  return view.kind === "concern" ? t("concern_title") : t("pause_title");
}

function presetLabel(code) {
  const key = `preset_${code}`;
  const label = t(key);
  return label === key ? code : label;
}

export function message(view) {
  if (view.restricted) return t("masked");
  const parts = [];
  if (view.preset) parts.push(presetLabel(view.preset));
  if (view.text) parts.push(view.text);
  return parts.join(" — ");
}

export function sceneLine(view) {
  if (view.restricted) return "";
  return view.scene ? t("scene", { n: view.scene.number }) : t("no_scene");
}

export function timeLine(view) {
  const at = new Date(view.raised_at);
  const time = Number.isNaN(at.getTime()) ? view.raised_at : CLOCK.format(at);
  return t("raised_at", { time });
}

export function senderLine(view) {
  if (view.restricted) return "";
  if (view.mine) return t("you");
  return view.sender ? t("from", { name: name(view.sender) }) : t("withheld");
}

export function stateLine(view) {
  if (view.state === "resolved") return resolvedLine(view);
  if (view.state === "acknowledged") {
    return view.acknowledged_by
      ? t("acknowledged_by", { name: name(view.acknowledged_by) })
      : t("acknowledged");
  }
  if (view.restricted) return ""; // the IC is attending: nothing for this screen to do
  return view.escalation_level > 0 ? t("escalated") : t("state_open");
}
