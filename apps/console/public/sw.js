/*
 * The console's service worker: web push while no console is on screen, and a click on a
 * notification opens that chat (in a console tab if one is open, else a new window).
 * Nothing is cached here: the console needs the server to be any use.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('push', (e) => {
  let p = null;
  try {
    p = e.data ? e.data.json() : null;
  } catch {
    p = null;
  }
  if (!p || !p.title) return;
  e.waitUntil(
    (async () => {
      const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      // a console in front of the operator chimes and shows it already
      if (wins.some((w) => w.focused && w.visibilityState === 'visible')) return;
      await self.registration.showNotification(p.title, { body: p.body || '', tag: p.tag || undefined, renotify: !!p.tag, data: { url: p.url || '/chats' }, icon: '/icon-192.png', badge: '/icon-192.png' });
    })(),
  );
});

self.addEventListener('notificationclick', (e) => {
  e.notification.close();
  const url = new URL((e.notification.data && e.notification.data.url) || '/chats', self.location.origin).href;
  e.waitUntil(
    (async () => {
      const wins = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const tab = wins.find((w) => new URL(w.url).origin === self.location.origin);
      if (tab) {
        await tab.focus();
        tab.postMessage({ type: 'beckon:open', url });
        return;
      }
      await self.clients.openWindow(url);
    })(),
  );
});
