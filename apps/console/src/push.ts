/**
 * Web push on this device: the service worker (registered once signed in), the browser's push
 * subscription handed to the server, and a notification's click routed to its chat.
 */
import { api } from './api';
import { parseRoute } from './router';

export type PushState = 'unsupported' | 'denied' | 'on' | 'off';

const supported = () => typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof PushManager !== 'undefined' && typeof Notification !== 'undefined';

let registration: Promise<ServiceWorkerRegistration | null> | null = null;

/** registers /sw.js; a click on a notification then opens its chat in this tab */
export function registerWorker(open: (route: ReturnType<typeof parseRoute>) => void): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  if (!registration) {
    registration = navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => null);
    navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string; url?: string }>) => {
      if (e.data?.type === 'beckon:open' && e.data.url) open(parseRoute(new URL(e.data.url, location.origin).pathname));
    });
  }
  return registration;
}

export async function pushState(): Promise<PushState> {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const reg = await registration;
  const sub = reg ? await reg.pushManager.getSubscription().catch(() => null) : null;
  return sub ? 'on' : 'off';
}

const key = (b64: string) => {
  const raw = atob(b64.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((b64.length + 3) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
};

/** asks the browser, subscribes, tells the server; resolves with an error text or null */
export async function enablePush(): Promise<string | null> {
  if (!supported()) return 'unsupported';
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const reg = await registration;
  if (!reg) return 'no service worker';
  await navigator.serviceWorker.ready;
  const { publicKey } = await api<{ publicKey: string }>('GET', '/api/push');
  try {
    const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(publicKey) });
    await api('POST', '/api/push/subscriptions', sub.toJSON());
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

export async function disablePush(): Promise<void> {
  const reg = await registration;
  const sub = reg ? await reg.pushManager.getSubscription().catch(() => null) : null;
  if (!sub) return;
  await api('DELETE', '/api/push/subscriptions', { endpoint: sub.endpoint }).catch(() => undefined);
  await sub.unsubscribe().catch(() => undefined);
}
