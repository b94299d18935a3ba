/** The console is a hardened web app (issue 8 §5). */
import { describe, expect, it } from 'vitest';
import { login, startServer } from './harness';

describe('security headers and origins', () => {
  it('serves the console with a CSP, no framing, nosniff and a strict referrer policy; the widget stays loadable from shops', async () => {
    const h = await startServer();
    const page = await fetch(`${h.url}/`, { headers: { accept: 'text/html' } });
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const widget = await fetch(`${h.url}/widget/beckon.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(widget.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('refuses a state-changing call from another origin: a text/plain logout from the shop does not end the session', async () => {
    const h = await startServer();
    const cookie = await login(h, 'op@shop.test');
    const forged = await fetch(`${h.url}/api/auth/logout`, { method: 'POST', headers: { cookie, origin: 'http://shop.test', 'content-type': 'text/plain' }, body: 'x' });
    expect(forged.status).toBe(403);
    expect((await forged.json()).error.code).toBe('FORBIDDEN');
    // a browser that says cross-site without an Origin is refused too
    const noOrigin = await fetch(`${h.url}/api/auth/logout`, { method: 'POST', headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    expect(noOrigin.status).toBe(403);
    expect((await fetch(`${h.url}/api/auth/me`, { headers: { cookie } })).status).toBe(200);
    // the console itself (its own origin) may
    const own = await fetch(`${h.url}/api/auth/logout`, { method: 'POST', headers: { cookie, origin: h.url } });
    expect(own.status).toBe(200);
    expect((await fetch(`${h.url}/api/auth/me`, { headers: { cookie } })).status).toBe(401);
  });

  it('marks the session cookie Secure behind an https proxy', async () => {
    const h = await startServer({ trustProxy: true });
    const plain = await fetch(`${h.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'op@shop.test', password: 'correct horse battery' }) });
    expect(plain.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    const viaTls = await fetch(`${h.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ email: 'op@shop.test', password: 'correct horse battery' }) });
    expect(viaTls.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });
});
