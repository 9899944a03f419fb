// Caches the app's shell so it opens offline (and says so); API answers are never cached here.
// Navigations: network first, the cached shell when offline. Hashed /assets/: cache first
// (a name never changes content). A new build's shell names new assets; old ones age out.
const CACHE = "skyfare-shell-v1";
const SHELL = ["/", "/manifest.webmanifest", "/icon.svg"];

// The API goes straight to the network, without this worker (Chrome 123+ static routes): its fetch
// handler lets API calls pass anyway, but a search's request and its stream would first wait for
// the worker to start and run it. Elsewhere the handler below just returns for them.
const API_ROUTE = { condition: { urlPattern: { pathname: "/v1/*" } }, source: "network" };

self.addEventListener("install", (event) => {
  const routed = event.addRoutes ? event.addRoutes(API_ROUTE).catch(() => undefined) : Promise.resolve();
  event.waitUntil(Promise.all([caches.open(CACHE).then((cache) => cache.addAll(SHELL)), routed]));
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
  );
  self.clients.claim();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put("/", copy));
          }
          return response;
        })
        .catch(() => caches.match("/"))
    );
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ??
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(CACHE).then((cache) => cache.put(request, copy));
            }
            return response;
          })
      )
    );
  }
});
