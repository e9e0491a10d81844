// Keeps a schedule view current: when the server says `schedule:changed` (a day or scene was
// added, edited, moved, reordered or deleted, or a revised call sheet was applied), re-read
// this page and swap in every fresh [data-schedule-live] section. A section someone is typing
// in is left alone until they leave it, so nobody loses what they were writing.

import { onEvent } from "./live.js";

const DELAY_MS = 150;
let timer = null;
let pending = false;

function editing(section) {
  const active = document.activeElement;
  return Boolean(active && section.contains(active) && active.matches("input, textarea, select"));
}

async function refresh() {
  const sections = [...document.querySelectorAll("[data-schedule-live]")];
  if (sections.some(editing)) {
    pending = true;
    return;
  }
  pending = false;
  const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const section of sections) {
    const fresh = doc.getElementById(section.id);
    if (fresh) section.replaceWith(fresh);
  }
  document.dispatchEvent(new CustomEvent("schedule:refreshed"));
}

function refreshSoon() {
  clearTimeout(timer);
  timer = setTimeout(() => refresh().catch(() => {}), DELAY_MS);
}

onEvent("schedule:changed", refreshSoon);
document.addEventListener("focusout", () => {
  if (pending) refreshSoon();
});
