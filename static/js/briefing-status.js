// The producer's briefing table: a department head's acknowledgement shows as it happens.
// The server publishes `briefing:acknowledged` {person_id, acknowledged_at} to producers
// after the acknowledgement is saved; a row we do not have yet means reloading the page.

import { onEvent } from "./live.js";

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
  time.textContent = `${at.slice(0, 16).replace("T", " ")} UTC`;
  badge.append(time);
  cell.replaceChildren(badge);
}

onEvent("briefing:acknowledged", showAcknowledged);
