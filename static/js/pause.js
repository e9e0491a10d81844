// The PAUSE button (one tap, on every signed-in page), the CONCERN dialog, the sender's live
// status line (not delivered yet → sent → delivered to the IC's / the AD's device → read or
// acknowledged by the IC / the AD → resolved; never a role that does not have it) and the performers' discreet mode. Words come from <template id=alert-strings>.

import { name, resolvedLine } from "./alert-words.js";
import { personId, role, t } from "./live.js";
import { onChange, pending, raise, sent } from "./outbox.js";

const DISCREET_KEY = `ictool.discreet.${personId}`;
const DOUBLE_TAP_MS = 1500;
const STALE_MS = 15 * 60 * 1000; // a status resolved this long ago is no longer news
const pauseBtn = document.getElementById("pause-btn");
const pauseSub = document.getElementById("pause-sub");
const statusEl = document.getElementById("alert-status");
const concernBtn = document.getElementById("concern-btn");
const dialog = document.getElementById("concern-dialog");
const form = document.getElementById("concern-form");
const discreetBtn = document.getElementById("discreet-btn");
let lastPauseAt = 0;

/** The scene on screen, if any: the page's `data-scene-id` or a marked current scene. */
function currentSceneId() {
  const marked = document.querySelector("[data-current-scene-id]");
  const raw = marked ? marked.dataset.currentSceneId : document.body.dataset.sceneId;
  const id = Number.parseInt(raw || "", 10);
  return Number.isInteger(id) && id > 0 ? id : null;
}

function withScene(fields) {
  const sceneId = currentSceneId();
  return sceneId ? { ...fields, scene_id: sceneId } : fields;
}

/** Who has it, in words: only the roles whose devices received something they may read. */
function deliveredLine(view) {
  const ic = Boolean(view.delivered_to_ic);
  const ad = Boolean(view.delivered_to_ad) && !icOnly(view);
  if (ic && ad) return t("delivered_both");
  if (ic) return t("delivered_ic");
  if (ad) return t("delivered_ad");
  return t("sent");
}

function icOnly(view) {
  return view.kind === "concern" && view.audience !== "ic_and_ad";
}

/** "Read by the IC (Maya)" for a concern, "Acknowledged by the AD (Tom)" for the others. */
function handledLine(view) {
  const who = name(view.acknowledged_by);
  if (!who) return t("acknowledged");
  const verb = view.kind === "concern" ? "read" : "acknowledged";
  const role = view.acknowledged_by_role;
  if (role === "coordinator") return t(`${verb}_ic`, { name: who });
  if (role === "first_ad" || role === "second_ad") return t(`${verb}_ad`, { name: who });
  return t(verb === "read" ? "read_by" : "acknowledged_by", { name: who });
}

function statusOf(record) {
  if (record.payload && !record.error && !record.view) {
    return record.attempts === 0 && record.inFlight ? t("sending") : t("retrying");
  }
  if (record.error) return t("rejected", { error: record.error });
  const view = record.view;
  if (view.state === "resolved") return resolvedLine(view);
  if (view.state === "acknowledged") return handledLine(view);
  return deliveredLine(view);
}

/** "Pause", "Consent withdrawal", "Concern for the IC only", ...: who it was meant for. */
function kindWord(record) {
  const kind = record.kind || record.view?.kind || record.payload?.kind || "pause";
  if (kind === "withdrawal") return t("withdrawal");
  if (kind !== "concern") return t("pause");
  const view = record.view || record.payload || {};
  const audience = view.audience || record.audience;
  if (audience !== "ic_and_ad") return t("concern_ic");
  return view.anonymous ? t("concern_both_anonymous") : t("concern_both");
}

function render() {
  const waiting = pending();
  const records = [...sent(), ...waiting].sort((a, b) =>
    String(a.created_at).localeCompare(String(b.created_at)),
  );
  let latest = records[records.length - 1];
  const resolvedAt = Date.parse(latest?.view?.resolved_at || "");
  if (latest?.view?.state === "resolved" && Date.now() - resolvedAt > STALE_MS) latest = null;
  let text = "";
  let state = "";
  if (latest) {
    text = t("line", { kind: kindWord(latest), status: statusOf(latest) });
    state = latest.view ? latest.view.state : latest.error ? "rejected" : "pending";
  }
  if (statusEl.textContent !== text) statusEl.textContent = text;
  statusEl.dataset.state = state;
  const pausePending = waiting.filter((r) => r.payload.kind === "pause");
  const sub = pausePending.length ? statusOf(pausePending[pausePending.length - 1]) : "";
  if (pauseSub.textContent !== sub) pauseSub.textContent = sub;
  pauseBtn.dataset.state = pausePending.length ? "pending" : "";
  // The button already says it; the line stays for screen readers (the button points at it).
  const echo = Boolean(sub) && latest?.payload?.kind === "pause" && !latest.view;
  statusEl.classList.toggle("echo", echo);
}

function onPause() {
  const at = Date.now();
  if (at - lastPauseAt < DOUBLE_TAP_MS) return; // a double tap is one pause
  lastPauseAt = at;
  raise(withScene({ kind: "pause", audience: "ic_and_ad", anonymous: false }));
}

function openConcern() {
  form.reset();
  document.getElementById("concern-error").textContent = "";
  dialog.showModal();
}

function sendConcern(event) {
  event.preventDefault();
  const data = new FormData(form);
  const preset = String(data.get("preset") || "");
  const text = String(data.get("text") || "").trim();
  if (!preset && !text) {
    document.getElementById("concern-error").textContent = t("choose");
    form.querySelector('input[name="preset"]').focus();
    return;
  }
  const fields = {
    kind: "concern",
    audience: data.get("audience") === "ic_and_ad" ? "ic_and_ad" : "ic",
    anonymous: data.get("anonymous") === "on",
  };
  if (preset) fields.preset = preset;
  if (text) fields.text = text.slice(0, 1000);
  raise(withScene(fields));
  dialog.close();
  concernBtn.focus();
}

function setDiscreet(on) {
  document.documentElement.classList.toggle("discreet", on);
  if (discreetBtn) discreetBtn.setAttribute("aria-pressed", on ? "true" : "false");
  localStorage.setItem(DISCREET_KEY, on ? "1" : "0");
}

if (personId && pauseBtn) {
  pauseBtn.addEventListener("click", onPause);
  concernBtn.addEventListener("click", openConcern);
  form.addEventListener("submit", sendConcern);
  document.getElementById("concern-cancel").addEventListener("click", () => dialog.close());
  if (discreetBtn && role === "performer") {
    setDiscreet(localStorage.getItem(DISCREET_KEY) === "1");
    discreetBtn.addEventListener("click", () =>
      setDiscreet(discreetBtn.getAttribute("aria-pressed") !== "true"),
    );
  }
  onChange(render);
  render();
}
