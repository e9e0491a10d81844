// Registers the service worker and says honestly what this page can do: whether the
// connection is secure enough for offline use, push and wake lock, and whether what is on
// screen is a saved copy shown because the phone is offline.

const root = document.documentElement;

/** Show a notice from base.html (its words come translated from the template). */
function show(id, text) {
  const note = document.getElementById(id);
  if (!note) return;
  if (text) note.querySelector("[data-text]").textContent = text;
  note.hidden = false;
}

/** Delete this person's saved pages: the worker's copy and, to be sure, from here too. */
async function forgetPages() {
  const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) worker.postMessage({ type: "forget-pages" });
  if (!window.caches) return;
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith("ictool-pages-")).map((n) => caches.delete(n)));
}

function savedCopyNotice() {
  const savedAt = root.dataset.savedAt;
  if (!savedAt) return;
  const note = document.getElementById("saved-copy");
  const when = new Date(savedAt);
  const time = Number.isNaN(when.getTime())
    ? savedAt
    : when.toLocaleString(root.lang || undefined, { dateStyle: "short", timeStyle: "short" });
  show("saved-copy", note.dataset.template.replace("{time}", time));
  // The connection is back: show the live page instead of the copy, once the set's server
  // answers. An "online" event only says the phone has some network (Chromium also fires one
  // while a page is being left): reloading on it alone could pull someone back from the page
  // they just opened.
  window.addEventListener("online", showLivePageWhenServerAnswers);
}

async function showLivePageWhenServerAnswers() {
  try {
    const response = await fetch("/healthz", { cache: "no-store" });
    if (response.ok) window.location.reload();
  } catch (error) {
    /* still no server: keep the saved copy until the next "online" */
  }
}

if (!window.isSecureContext) {
  show("insecure-note");
} else if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // No worker (private mode, storage full): the live page still works, just not offline.
  });
}

savedCopyNotice();

for (const form of document.querySelectorAll("form[data-signout]")) {
  form.addEventListener("submit", () => {
    forgetPages();
  });
}
