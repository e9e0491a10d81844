// Delivery receipts: an alert that reaches this device and is not mine is answered with
// alert:received, which the sender's status line shows as "delivered to the IC's / the AD's
// device". Sent for every alert:new, every escalation that first reaches me and every open
// alert a sync brings (alarm.js decides which).

import { emitWithAck, isConnected } from "./live.js";
import { isMine } from "./outbox.js";

/** Tell the server this device has `view` (never for my own alerts). */
export function received(view) {
  if (!view || view.mine === true || isMine(view)) return;
  if (isConnected()) emitWithAck("alert:received", { id: view.id }, 4000).catch(() => {});
}
