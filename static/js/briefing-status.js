// The producer's briefing table: a department head's acknowledgement shows as it happens.
// The server publishes `briefing:acknowledged` {person_id, acknowledged_at} to producers
// after the acknowledgement is saved; a row we do not have yet means reloading the page.

import { onEvent } from "./live.js";

// the page's language, like the server's rendering of the rows already there
const WHEN = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
  dateStyle: "short",
  timeStyle: "short",
});

function showAcknowledged({ person_id: personId, acknowledged_at: at }) {
  const row = document.getElementById(`ack-${personId}`);
  if (!row) {
    window.location.reload();
    return;
  }
  const cell = row.cells[row.cells.length - 1];
  const badge = document.createElement("span");
  badge.className = "status status-ok";
  const time = document.createElement("time");
  time.dateTime = at;
  const parsed = new Date(at);
  time.textContent = Number.isNaN(parsed.getTime()) ? at : WHEN.format(parsed);
  badge.append(time);
  cell.replaceChildren(badge);
}

onEvent("briefing:acknowledged", showAcknowledged);
