/**
 * Email through nodemailer to the SMTP server the owner configures (BECKON_SMTP_*). Every email
 * is stored first (the outbox), then sent; a temporary failure (no connection, a 4xx answer) is
 * retried with exponential backoff and jitter, a permanent one (5xx) is not; each outcome is
 * logged and kept for the console (the inbox item shows whether its answer went out). With no
 * SMTP configured the mailer is off: nothing is queued and nothing promises email.
 */
import type { Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import { newId, type QualityStore } from '@beckon/db';
import { background } from '../lib/background';
import type { Clock, Timer } from '../lib/clock';
import { Rounds } from '../lib/rounds';

export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it */
  secure: boolean;
  user?: string;
  password?: string;
  /** the From: of every email, e.g. "Coffee Corner <help@coffee.example>" */
  from: string;
  /** refuse servers whose certificate does not verify (default true) */
  verifyTls?: boolean;
}

export interface MailOptions {
  retryBaseMs?: number;
  maxAttempts?: number;
  pollMs?: number;
}

export interface Mail {
  siteId: string;
  kind: 'answer' | 'transcript' | 'alert';
  to: string;
  subject: string;
  text: string;
  html: string;
  /** what it is about (an inbox item, a follow-up, a conversation): the console shows its fate there */
  ref?: string;
  visitorId?: string | null;
}

const LEASE_MS = 120_000;

export class Mailer {
  /** made when the first email goes: nodemailer is loaded only where SMTP is configured (a server without it never loads it) */
  private transport: Promise<Transporter> | null = null;
  private stopped = true;
  private readonly rounds: Rounds;
  private timer: Timer | null = null;
  private readonly o: Required<MailOptions>;

  constructor(
    private readonly store: QualityStore,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly smtp: SmtpConfig | null,
    opts: MailOptions = {},
  ) {
    this.o = { retryBaseMs: 30_000, maxAttempts: 8, pollMs: 30_000, ...opts };
    this.rounds = new Rounds(() => this.round(), log, 'email round', () => this.stopped);
  }

  private transporter(): Promise<Transporter> {
    const smtp = this.smtp!;
    return (this.transport ??= import('nodemailer').then((m) =>
      m.default.createTransport({ host: smtp.host, port: smtp.port, secure: smtp.secure, auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined, tls: { rejectUnauthorized: smtp.verifyTls ?? true }, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }),
    ));
  }

  /** SMTP is configured: the product may offer email */
  get enabled(): boolean {
    return this.smtp !== null;
  }

  /** Queues one email (false when email is off). */
  async send(m: Mail): Promise<boolean> {
    if (!this.enabled) return false;
    const now = this.clock.now();
    await this.store.enqueueEmail({ id: newId(), siteId: m.siteId, kind: m.kind, ref: m.ref ?? null, visitorId: m.visitorId ?? null, to: m.to, subject: m.subject, text: m.text, html: m.html, nextAt: now, createdAt: now });
    this.kick();
    return true;
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    this.stopped = false;
    await this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
  }

  idle(): Promise<void> {
    return this.rounds.idle();
  }

  close(): void {
    this.stop();
    this.transport?.then((t) => t.close()).catch(() => undefined);
  }

  private kick(): void {
    if (!this.stopped) background(this.tick(), this.log, 'email round');
  }

  tick(): Promise<void> {
    return this.rounds.run();
  }

  private async round(): Promise<void> {
    for (let n = 0; n < 50 && !this.stopped; n++) {
      const due = await this.store.claimEmails(this.clock.now(), LEASE_MS, 5);
      if (!due.length) break;
      await Promise.all(due.map((e) => this.attempt(e)));
    }
    if (this.stopped) return;
    const next = await this.store.nextEmailAt();
    const at = Math.min(next ?? Infinity, this.clock.now() + this.o.pollMs);
    this.timer?.cancel();
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.kick();
    }, at - this.clock.now());
  }

  private async attempt(e: { id: string; to: string; subject: string; text: string; html: string; attempts: number }): Promise<void> {
    const attempts = e.attempts + 1;
    try {
      await (await this.transporter()).sendMail({ from: this.smtp!.from, to: e.to, subject: e.subject, text: e.text, html: e.html });
      await this.store.finishEmail(e.id, { status: 'sent', attempts, nextAt: this.clock.now(), now: this.clock.now(), error: null });
      this.log.info({ email: e.id, to: e.to }, 'email sent');
    } catch (err) {
      const x = err as Error & { responseCode?: number; code?: string };
      // 5xx: the server will never take it (no such mailbox, refused); the rest may pass later
      const permanent = x.responseCode !== undefined && x.responseCode >= 500;
      const giveUp = permanent || attempts >= this.o.maxAttempts;
      const step = this.o.retryBaseMs * 2 ** (attempts - 1);
      const nextAt = this.clock.now() + Math.round(step * (0.5 + Math.random() / 2));
      const error = `${x.responseCode ? `${x.responseCode} ` : ''}${x.message}`.slice(0, 500);
      this.log.warn({ email: e.id, to: e.to, error, attempts, giveUp }, 'email not sent');
      await this.store.finishEmail(e.id, { status: giveUp ? 'failed' : 'pending', attempts, nextAt, now: this.clock.now(), error });
    }
  }
}
