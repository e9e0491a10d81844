// The alarm's sound, vibration and screen wake lock: beeps made in the page (WebAudio, no
// network fetch) repeating until stopped, a vibration pattern, and the screen kept awake
// while an alarm shows, each where the phone has it. Discreet mode (a performer's choice)
// silences sound and vibration.
// API: beep(), startRinging(), stopRinging(), keepAwake(), letSleep(), armSound().

const BEEP_EVERY_MS = 1600;
const soundBtn = document.getElementById("alarm-sound-on");
let beepTimer = null;
let audio = null;
let wakeLock = null;

function discreet() {
  return document.documentElement.classList.contains("discreet");
}

function audioContext() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return null;
  if (!audio) audio = new Ctx();
  return audio;
}

/** Browsers start sound only after a tap: any tap on the page arms the alarm sound. */
function unlockAudio() {
  const ctx = audioContext();
  if (ctx && ctx.state !== "running") ctx.resume().then(updateSoundButton, () => {});
  updateSoundButton();
}

function updateSoundButton() {
  if (!soundBtn) return;
  soundBtn.hidden = Boolean(audio && audio.state === "running") || discreet();
}

function tone(ctx, at, freq, seconds) {
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "square";
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(0.35, at + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + seconds);
  osc.connect(gain).connect(ctx.destination);
  osc.start(at);
  osc.stop(at + seconds + 0.02);
}

/** One round: three tones and a vibration (nothing in discreet mode). */
export function beep() {
  if (discreet()) return;
  const ctx = audioContext();
  if (ctx && ctx.state === "running") {
    const at = ctx.currentTime + 0.02;
    tone(ctx, at, 880, 0.18);
    tone(ctx, at + 0.25, 660, 0.18);
    tone(ctx, at + 0.5, 880, 0.3);
  }
  if (navigator.vibrate) {
    try {
      navigator.vibrate([300, 120, 300, 120, 600]);
    } catch {
      /* no vibration here */
    }
  }
}

/** Beep now and every BEEP_EVERY_MS until stopRinging(). */
export function startRinging() {
  if (beepTimer) return;
  beep();
  beepTimer = setInterval(beep, BEEP_EVERY_MS);
}

export function stopRinging() {
  clearInterval(beepTimer);
  beepTimer = null;
  if (navigator.vibrate) navigator.vibrate(0);
}

/** Keep the screen on while an alarm shows (where the phone lets the page). */
export async function keepAwake() {
  if (!("wakeLock" in navigator) || wakeLock || document.visibilityState !== "visible") return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
    wakeLock.addEventListener("release", () => {
      wakeLock = null;
    });
  } catch {
    wakeLock = null; // not allowed here (no HTTPS, battery saver): the alarm still shows
  }
}

export function letSleep() {
  if (wakeLock) wakeLock.release().catch(() => {});
  wakeLock = null;
}

/** Arm the sound on the first tap or key, offer the "sound on" button until then, and take
 * the wake lock again when a ringing page becomes visible. */
export function armSound() {
  // "click", not "pointerdown": unlocking hides the sound button, and a layout that moves
  // between press and release would send a person's first tap somewhere else.
  document.addEventListener("click", unlockAudio, { capture: true });
  document.addEventListener("keydown", unlockAudio, { capture: true });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && beepTimer) keepAwake();
  });
  if (soundBtn) {
    soundBtn.addEventListener("click", () => {
      unlockAudio();
      beep();
    });
    updateSoundButton();
  }
}
