// The IC's rider matrix stays live: when any scene's clearance changes (a signature, an
// amendment, a withdrawal, new blocking), the table is re-read from the server.

import { onEvent } from "./live.js";

const DELAY_MS = 300;
let timer = null;

async function refresh() {
  const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) return;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = doc.getElementById("rider-matrix");
  const here = document.getElementById("rider-matrix");
  if (fresh && here) here.replaceWith(fresh);
}

onEvent("scene:clearance", () => {
  clearTimeout(timer);
  timer = setTimeout(() => refresh().catch(() => {}), DELAY_MS);
});
