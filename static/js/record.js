// The "Record" line: the audit log's latest signed checkpoint, kept by this device.
//
// The server renders its latest checkpoint into [data-record]. This device keeps the latest
// it has seen in localStorage (more entries wins; then the later time), shows that value
// to copy, and says so when it holds a longer record than the server now shows (the log
// was cut short, or this is not the server it saw). `ictool audit verify --checkpoint`
// checks the log against a kept value.

const KEY = "ictool.record";
const box = document.querySelector("[data-record]");

function parse(value) {
  const parts = (value || "").split(":");
  if (parts.length !== 5 || parts[0] !== "ictool-record-v1") return null;
  return { value, entries: Number(parts[1]), at: parts[3] };
}

function later(a, b) {
  if (!b) return a;
  if (a.entries !== b.entries) return a.entries > b.entries ? a : b;
  return a.at >= b.at ? a : b;
}

function keep() {
  const served = parse(box.dataset.checkpoint);
  if (!served) return;
  let kept = null;
  try {
    kept = parse(localStorage.getItem(KEY));
  } catch {
    kept = null; // storage blocked: show what the server sent
  }
  const latest = later(served, kept);
  try {
    localStorage.setItem(KEY, latest.value);
  } catch {
    // private mode or full: the value is still shown to copy
  }
  box.querySelector("[data-record-value]").value = latest.value;
  if (latest !== served && latest.entries > served.entries) {
    const note = box.querySelector("[data-record-note]");
    note.textContent = box.dataset.later
      .replace("{kept}", String(latest.entries))
      .replace("{now}", String(served.entries));
    note.classList.add("record-warn");
  }
}

async function copy() {
  const input = box.querySelector("[data-record-value]");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy"); // plain http on the set's Wi-Fi has no clipboard API
  }
  const note = box.querySelector("[data-record-note]");
  if (!note.textContent) note.textContent = box.dataset.copied;
}

if (box) {
  keep();
  box.querySelector("[data-record-copy]").addEventListener("click", copy);
}
