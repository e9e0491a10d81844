// What the IC and the ADs do to alerts: acknowledge or resolve one, acknowledge all of one
// sender's, over the socket when it is up and else over HTTP (deliver.js).

import { deliver } from "./deliver.js";
import { t } from "./live.js";

/** `action` ("ack" or "resolve") on alert `id`: {view} (its new view) or {error} (words). */
export async function act(action, id, body) {
  const path = `/api/alerts/${id}/${action}`;
  const reply = await deliver(`alert:${action}`, { id, ...body }, path, { body: body || {} });
  if (reply && reply.status < 300 && reply.alert) return { view: reply.alert };
  return { error: reply?.error || t("net_error") };
}

/** Acknowledge every open alert of one sender; a failure is told on the button's title. */
export async function ackSender(senderId, button) {
  button.disabled = true;
  const payload = { sender_id: senderId };
  const path = "/api/alerts/acknowledge-sender";
  const reply = await deliver("alert:ack_sender", payload, path, { timeoutMs: 15000 });
  button.disabled = false;
  if (!reply || reply.status >= 300) button.title = reply?.error || t("net_error");
  // the acknowledged alerts come back as alert:update, one each
}
