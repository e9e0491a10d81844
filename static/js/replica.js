// The IC's line about the live copy of the record ("Copy saved 3 s ago"), kept current:
// the server words it (and says "behind" past 30 s, or "failing"), this only refreshes it.

const line = document.getElementById("replica");

async function refresh() {
  try {
    const r = await fetch(line.dataset.url, { credentials: "same-origin", cache: "no-store" });
    if (!r.ok) return;
    const status = await r.json();
    line.querySelector("[data-text]").textContent = status.text;
    line.dataset.state = status.state;
  } catch {
    /* this server is not answering: the connection line and the failover note say so */
  }
}

if (line) setInterval(refresh, 5000);
