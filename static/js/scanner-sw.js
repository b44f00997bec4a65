// The scanner's service worker, served from under the scanner page's path so that its scope
// covers the page: it keeps the page, its scripts, styles and vendored libraries, so that the page
// reloads with no network, and answers the roster's photos from the cache the page fills.
// The bundle and the sync go to the network only: the page keeps those in IndexedDB itself.
const ASSETS = "planner-scanner-assets-v1";
const PHOTOS = "planner-scanner-photos";
const NETWORK_WAIT = 4000; // ms before a slow network loses to the kept copy

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("planner-scanner-assets-") && name !== ASSETS) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The page names what it is made of (it knows its scripts and styles): kept at once.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((url) => new URL(url, self.location.href).origin === self.location.origin);
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ASSETS);
      for (const url of urls) {
        try {
          const response = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
          if (response.ok && !response.redirected) await cache.put(url, response);
        } catch {
          // offline: kept on a later visit
        }
      }
      // The page learns that it can now be reloaded with no network.
      if (event.ports[0]) event.ports[0].postMessage("kept");
    })(),
  );
});

function timeout(ms) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

// The network's answer, kept; the kept copy when the network fails or is too slow.
async function networkFirst(request) {
  const cache = await caches.open(ASSETS);
  const keep = request.mode === "navigate" ? new Request(request.url.split("?")[0].split("#")[0]) : request;
  try {
    const response = await Promise.race([fetch(request), timeout(NETWORK_WAIT)]);
    // A redirect (to the sign-in page) is not the scanner: never kept in its place.
    if (response.ok && !response.redirected && response.type === "basic") await cache.put(keep, response.clone());
    // Whoever holds the phone now is not scanning staff here (signed out and sent to the
    // sign-in page, removed, or another person signed in): the page, roster and photos kept for
    // the last one are forgotten. Offline, the phone cannot tell who holds it.
    const refused = response.status === 401 || response.status === 403;
    const toSignIn = response.type === "opaqueredirect" || response.redirected;
    if (request.mode === "navigate" && (refused || toSignIn)) await forget(cache, keep);
    return response;
  } catch (error) {
    const kept = await cache.match(keep, { ignoreSearch: request.mode === "navigate" });
    if (kept) return kept;
    throw error;
  }
}

// The kept page, the photos, and the bundle in the page's IndexedDB store (named by the
// bundle's URL, static/js/scanner/store.js); the queue of scans not yet sent stays.
async function forget(cache, page) {
  await cache.delete(page);
  await caches.delete(PHOTOS);
  const name = "planner-scanner " + new URL("data.json", self.registration.scope).pathname;
  await new Promise((resolve) => {
    const request = indexedDB.open(name);
    // No such store on this phone: none is made here (the page makes it, with its tables).
    request.onupgradeneeded = () => request.transaction.abort();
    request.onerror = () => resolve();
    request.onsuccess = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains("bundle")) {
        db.close();
        resolve();
        return;
      }
      const transaction = db.transaction("bundle", "readwrite");
      transaction.objectStore("bundle").clear();
      transaction.oncomplete = transaction.onabort = transaction.onerror = () => {
        db.close();
        resolve();
      };
    };
  });
}

async function photo(request) {
  const cache = await caches.open(PHOTOS);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && !response.redirected) await cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.endsWith("/data.json")) return;
  if (url.pathname.includes("/scanner/photos/")) {
    event.respondWith(photo(request));
    return;
  }
  event.respondWith(networkFirst(request));
});
