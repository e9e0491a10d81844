/* ictool's service worker, written by hand (no build step).
 *
 * - The app shell (CSS, JS modules, vendored socket.io, icons, offline page) is precached on
 *   install into a cache named by version; older caches are deleted on activate.
 * - Pages are network-first. Each page that loads is kept, so the person's day (call, roster,
 *   their blocking) stays readable when the set's Wi-Fi drops. Opening the app offline goes to
 *   the last role screen they loaded; anything else never seen falls back to the offline page.
 * - Static files are cache-first (their cache is renewed whenever any of them changes).
 * - Never cached: /socket.io/, /api/, /join/ links, any POST or other write, other origins,
 *   and any response marked no-store. Saved pages are private: signing out or opening a
 *   join link (a new person on this phone) deletes them.
 * - Web push: shows the notification a push carries; a click opens or focuses its page.
 */

// Filled in by ictool/views/pwa.py when it serves /sw.js: a version that changes whenever a
// static file changes, the files to precache, and the role screens.
const BUILD = { version: "dev", shell: [], homes: [], offline: "/offline" };

const PREFIX = "ictool-";
const STATIC_CACHE = `${PREFIX}static-${BUILD.version}`;
const PAGE_CACHE = `${PREFIX}pages-v1`;
const LAST_HOME_KEY = "/__ictool__/last-home";
const NEVER_CACHED = ["/socket.io/", "/api/", "/join/", "/sw.js", "/signout", "/language"];

self.addEventListener("install", (event) => {
  // Take over at once: a phone keeps the app open all day and must not run an old version.
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(removeOldCaches().then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "forget-pages") event.waitUntil(forgetPages());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // other origins: not ours to touch
  if (url.pathname === "/signout" || url.pathname.startsWith("/join/")) {
    event.waitUntil(forgetPages()); // someone leaves, or someone new signs in on this phone
    return;
  }
  if (request.method !== "GET") return; // writes always go to the network, never cached
  if (NEVER_CACHED.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request, url));
  }
});

/** Put the whole app shell in this version's cache, bypassing the HTTP cache. */
async function precache() {
  const cache = await caches.open(STATIC_CACHE);
  const urls = [...BUILD.shell, BUILD.offline];
  await cache.addAll(urls.map((url) => new Request(url, { cache: "reload" })));
}

/** Delete every ictool static cache but this version's. */
async function removeOldCaches() {
  const names = await caches.keys();
  const old = names.filter((n) => n.startsWith(`${PREFIX}static-`) && n !== STATIC_CACHE);
  await Promise.all(old.map((name) => caches.delete(name)));
}

/** Delete every saved page: they hold one person's private schedule. */
async function forgetPages() {
  const names = await caches.keys();
  const pages = names.filter((n) => n.startsWith(`${PREFIX}pages-`));
  await Promise.all(pages.map((name) => caches.delete(name)));
}

/** Static files: from the cache when there, else from the network (and kept). */
async function cacheFirst(request) {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

/** Pages: the network first; when it fails, the saved copy, the last home, the offline page. */
async function networkFirstPage(request, url) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return offlineAnswer(request, url);
  }
  if (keepable(response)) await savePage(url, response.clone());
  return response;
}

/** Whether a page response may be kept: a complete HTML page of ours, not marked no-store. */
function keepable(response) {
  const type = response.headers.get("Content-Type") || "";
  const control = response.headers.get("Cache-Control") || "";
  return (
    response.status === 200 &&
    response.type === "basic" &&
    !response.redirected &&
    type.startsWith("text/html") &&
    !/no-store/i.test(control)
  );
}

/** Keep a page with the time it was saved; remember it when it is a role screen. */
async function savePage(url, response) {
  const headers = new Headers(response.headers);
  headers.set("X-Ictool-Saved-At", new Date().toISOString());
  const body = await response.blob();
  const cache = await caches.open(PAGE_CACHE);
  await cache.put(url.href, new Response(body, { status: 200, headers }));
  if (BUILD.homes.includes(url.pathname)) {
    await cache.put(LAST_HOME_KEY, new Response(url.pathname + url.search));
  }
}

/** What to show with no network: this page as last saved, else the home screen, else offline. */
async function offlineAnswer(request, url) {
  const cache = await caches.open(PAGE_CACHE);
  const saved = await cache.match(url.href);
  if (saved) return markedAsSaved(saved);
  if (url.pathname === "/" || url.pathname === "/home") {
    const home = await cache.match(LAST_HOME_KEY);
    if (home) return Response.redirect(await home.text(), 302);
  }
  const offline = await caches.match(BUILD.offline);
  return offline || Response.error();
}

/** The saved page, with the time it was saved on <html> so the page can say so. */
async function markedAsSaved(saved) {
  const when = saved.headers.get("X-Ictool-Saved-At") || "";
  const html = (await saved.text()).replace("<html ", `<html data-saved-at="${when}" `);
  const headers = new Headers(saved.headers);
  headers.delete("Content-Length");
  return new Response(html, { status: 200, headers });
}

self.addEventListener("push", (event) => {
  event.waitUntil(showPush(event.data));
});

/** Show the notification a push carries: {title, body, url, tag, kind}. Pauses stay up. */
function showPush(data) {
  let message = {};
  try {
    message = data ? data.json() : {};
  } catch (error) {
    message = { body: data ? data.text() : "" };
  }
  const urgent =
    message.kind === "pause" ||
    message.requireInteraction === true ||
    String(message.tag || "").startsWith("pause");
  const options = {
    body: message.body || "",
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/maskable-192.png",
    data: { url: sameOriginPath(message.url) },
    requireInteraction: urgent,
  };
  if (message.tag) {
    options.tag = String(message.tag);
    options.renotify = true; // a second pause on the same scene must still ring
  }
  if (urgent) options.vibrate = [400, 150, 400, 150, 400];
  return self.registration.showNotification(message.title || "ictool", options);
}

/** A path on this server for a notification to open; anything else becomes /home. */
function sameOriginPath(raw) {
  try {
    const url = new URL(raw || "/home", self.location.origin);
    return url.origin === self.location.origin ? url.pathname + url.search + url.hash : "/home";
  } catch (error) {
    return "/home";
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(openPage(event.notification.data && event.notification.data.url));
});

/** Focus a window already showing this page, else any window of ours (sent there), else open. */
async function openPage(path) {
  const target = new URL(path || "/home", self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const same = windows.find((client) => client.url === target);
  if (same) return same.focus();
  if (windows.length) {
    const client = await windows[0].focus();
    return client.navigate ? client.navigate(target) : client;
  }
  return self.clients.openWindow(target);
}
