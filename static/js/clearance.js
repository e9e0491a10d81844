// Scene clearance panels: their forms post JSON to the scene API (one tap, no reload), and
// each panel is re-read from the server whenever `scene:clearance` says its scene changed,
// so the badge and reasons are always the server's one answer, in this person's language.
// Words come from <template id="clearance-strings">; the live socket is live.js's.

import { api, onEvent } from "./live.js";

const REFRESH_DELAY_MS = 150;
let refreshTimer = null;

function word(key, vars = {}) {
  const tpl = document.getElementById("clearance-strings");
  const el = tpl ? tpl.content.querySelector(`[data-k="${key}"]`) : null;
  const text = el ? el.textContent.trim() : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** The JSON a panel form sends: typed by each field's data-type. */
function bodyOf(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.name === "csrf_token") continue;
    if ("beat" in el.dataset) {
      // what one blocking beat asks: codes[beat][name] lists the checked values
      const beats = (out.codes ||= []);
      const index = Number.parseInt(el.dataset.beat, 10);
      while (beats.length <= index) beats.push({});
      const list = (beats[index][el.name] ||= []);
      if (el.checked) list.push(el.dataset.type === "int" ? Number.parseInt(el.value, 10) : el.value);
      continue;
    }
    if ("list" in el.dataset) {
      // checkboxes and a text field of one name make one list: the checked values and the text
      const value = el.type === "checkbox" ? (el.checked ? el.value : "") : el.value.trim();
      out[el.name] = [...(out[el.name] || []), ...(value ? [value] : [])];
      continue;
    }
    if (el.type === "checkbox") {
      out[el.name] = el.checked;
      continue;
    }
    if (el.value === "") {
      if ("nullable" in el.dataset) out[el.name] = null; // an emptied date clears it
      continue;
    }
    if (el.dataset.type === "int") out[el.name] = Number.parseInt(el.value, 10);
    else if (el.dataset.type === "ints") {
      out[el.name] = el.value.split(",").filter(Boolean).map((v) => Number.parseInt(v, 10));
    }
    else if (el.dataset.type === "bool") out[el.name] = el.value === "true";
    else if (el.dataset.type === "lines") {
      out[el.name] = el.value.split("\n").map((s) => s.trim()).filter(Boolean);
    } else out[el.name] = el.value;
  }
  if ("clientId" in form.dataset && globalThis.crypto?.randomUUID) {
    out.client_id = globalThis.crypto.randomUUID();
  }
  return out;
}

function showError(form, message) {
  let el = form.querySelector(".form-error");
  if (!el) {
    el = document.createElement("p");
    el.className = "form-error";
    el.setAttribute("role", "alert");
    form.append(el);
  }
  el.textContent = message;
}

function isEditing(panel) {
  const active = document.activeElement;
  return Boolean(active && panel.contains(active) && active.matches("input, textarea, select"));
}

/** Re-read this page and swap in the fresh clearance panels (all, or those not being edited). */
async function refresh(force = false) {
  const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const panel of document.querySelectorAll("[data-live-scene]")) {
    const fresh = doc.getElementById(panel.id);
    if (!fresh || (!force && isEditing(panel))) continue;
    const hadFocus = panel.contains(document.activeElement);
    panel.replaceWith(fresh);
    if (hadFocus) {
      fresh.setAttribute("tabindex", "-1");
      fresh.focus();
    }
  }
}

function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refresh().catch(() => {}), REFRESH_DELAY_MS);
}

async function submit(event) {
  const form = event.target.closest("form.api-form");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  try {
    const method = form.dataset.method || "POST";
    const { status, body } = await api(method, form.getAttribute("action"), bodyOf(form));
    if (status >= 400) {
      showError(form, body?.error || word("failed"));
    } else if ("reload" in form.dataset) {
      location.reload();
    } else {
      await refresh(true);
    }
  } catch {
    showError(form, word("offline"));
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

function flag(text) {
  const region = document.getElementById("clearance-flags");
  if (!region) return;
  const item = document.createElement("p");
  item.className = "flag-banner";
  item.textContent = text;
  region.prepend(item);
}

function onPage(sceneId) {
  // a clearance panel, or any live part of the scene (its riders, a rider's own page)
  const live = document.querySelector(`[data-live-scene="${Number(sceneId)}"]`);
  return Boolean(document.getElementById(`clearance-${sceneId}`) || live);
}

document.addEventListener("submit", submit);

onEvent("scene:clearance", (data) => {
  if (data && onPage(data.scene_id)) refreshSoon();
});
onEvent("scene:off_roster", (data) => {
  if (!data) return;
  flag(word("off_roster", { name: data.name, scene: data.scene_number }));
  if (onPage(data.scene_id)) refreshSoon();
});
onEvent("scene:roster", (data) => {
  // this person was put on or taken off a roster: their check-in page changes
  if (data && onPage(data.scene_id)) refreshSoon();
});
onEvent("scene:closure_prompt", (data) => {
  if (!data) return;
  flag(word("closure_prompt", { scene: data.scene_number }));
  if (onPage(data.scene_id)) refreshSoon();
});
onEvent("scene:closure", (data) => {
  if (!data) return;
  if (data.status === "talk") flag(word("closure_talk", { name: data.name, scene: data.scene_number }));
  if (onPage(data.scene_id)) refreshSoon();
});
