// Socket first, HTTP second: one request to the server, sent over the live socket when it
// is connected and, when the socket is down or gives no definite answer, posted to the
// same action's /api route. Both answer alike: {status, alert, error}.
// API: deliver(event, payload, path, {body, timeoutMs, answered}) -> reply or null.

import { api, emitWithAck, isConnected } from "./live.js";

/** Send `payload` as socket `event`, else POST `body` (default: the payload) to `path`.
 * `answered(status)` says when the socket's reply is final (default: below 500); `null`
 * means neither way got an answer (offline). */
export async function deliver(event, payload, path, options = {}) {
  const { body = payload, timeoutMs = 4000, answered = (status) => status < 500 } = options;
  let reply = null;
  if (isConnected()) {
    try {
      reply = await emitWithAck(event, payload, timeoutMs);
    } catch {
      reply = null;
    }
  }
  if (!reply?.status || !answered(reply.status)) {
    try {
      const { status, body: data } = await api("POST", path, body);
      const view = data && (data.alert || (data.id ? data : null));
      reply = { status, alert: view, error: data?.error };
    } catch {
      reply = null;
    }
  }
  return reply;
}
