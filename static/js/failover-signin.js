// The landing page on the set's other server after a failover: sign in with the ticket the
// previous server gave this phone, put what the phone carried into this server's outbox
// (outbox.js sends each again by client_id), then go to the person's home screen.

const status = document.getElementById("failover-status");
const params = new URLSearchParams(location.hash.slice(1));
history.replaceState(null, "", location.pathname); // the ticket leaves the address bar

function decode(text) {
  try {
    const items = JSON.parse(decodeURIComponent(escape(atob(text || ""))));
    return Array.isArray(items) ? items.filter((r) => r && r.client_id && r.payload) : [];
  } catch {
    return [];
  }
}

async function signIn() {
  let reply;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  try {
    reply = await fetch("/api/failover", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrf, // needed when this browser already has a session here
      },
      body: JSON.stringify({ ticket: params.get("t") || "" }),
    });
  } catch {
    status.textContent = status.dataset.offline;
    return;
  }
  const body = await reply.json().catch(() => null);
  if (!reply.ok || !body || !body.person) {
    status.textContent = body?.error || status.dataset.refused;
    return;
  }
  const key = `ictool.outbox.${body.person.id}`;
  let outbox = [];
  try {
    outbox = JSON.parse(localStorage.getItem(key) || "[]");
  } catch {
    outbox = [];
  }
  for (const item of decode(params.get("c"))) {
    if (outbox.some((r) => r.client_id === item.client_id)) continue;
    outbox.push({ ...item, attempts: 0, error: null });
  }
  localStorage.setItem(key, JSON.stringify(outbox));
  sessionStorage.setItem("ictool.failover.from", document.referrer || "1");
  location.replace(body.next || "/home");
}

signIn();
