import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Server } from 'socket.io';
import type { Socket } from 'socket.io-client';
import {
  Appearance,
  DEFAULT_APPEARANCE,
  ERROR_CATALOGUE,
  ERROR_CODES,
  fail,
  LIMITS,
  LoginBody,
  MemberCreate,
  OperatorSendMessage,
  Origin,
  SendMessage,
  SitePatch,
  SyncRequest,
  type Message,
  type Result,
  type VisitorClientEvents,
  type VisitorServerEvents,
} from '../src/index';

describe('SendMessage', () => {
  it('accepts a message and normalises its whitespace', () => {
    const r = SendMessage.safeParse({ clientId: 'c-1', body: '  hello\r\nthere  ' });
    expect(r.success && r.data).toEqual({ clientId: 'c-1', body: 'hello\nthere' });
  });
  it.each([
    ['empty body', { clientId: 'c', body: '   ' }],
    ['too long', { clientId: 'c', body: 'x'.repeat(LIMITS.messageLength + 1) }],
    ['missing client id', { body: 'hi' }],
    ['client id with spaces', { clientId: 'a b', body: 'hi' }],
    ['client id too long', { clientId: 'x'.repeat(65), body: 'hi' }],
    ['number body', { clientId: 'c', body: 42 }],
    ['null', null],
  ])('rejects %s', (_name, input) => {
    expect(SendMessage.safeParse(input).success).toBe(false);
  });
  it('accepts exactly the maximum length', () => {
    expect(SendMessage.safeParse({ clientId: 'c', body: 'я'.repeat(LIMITS.messageLength) }).success).toBe(true);
  });
});

describe('operator and sync payloads', () => {
  it('requires a well-formed conversation id', () => {
    expect(OperatorSendMessage.safeParse({ conversationId: 'abcdefghijklmnopqrstuv', clientId: 'x', body: 'hi' }).success).toBe(true);
    expect(OperatorSendMessage.safeParse({ conversationId: '1', clientId: 'x', body: 'hi' }).success).toBe(false);
    expect(OperatorSendMessage.safeParse({ conversationId: '../../etc', clientId: 'x', body: 'hi' }).success).toBe(false);
  });
  it('rejects negative and fractional seq', () => {
    expect(SyncRequest.safeParse({ lastSeq: 3 }).success).toBe(true);
    expect(SyncRequest.safeParse({ lastSeq: -1 }).success).toBe(false);
    expect(SyncRequest.safeParse({ lastSeq: 1.5 }).success).toBe(false);
    expect(SyncRequest.safeParse({ lastSeq: '3' }).success).toBe(false);
  });
});

describe('site settings', () => {
  it('normalises origins and rejects paths and other schemes', () => {
    expect(Origin.parse('HTTPS://Shop.Example.com/')).toBe('https://shop.example.com');
    expect(Origin.parse('http://127.0.0.1:5174')).toBe('http://127.0.0.1:5174');
    expect(Origin.safeParse('https://shop.example.com/path').success).toBe(false);
    expect(Origin.safeParse('javascript:alert(1)').success).toBe(false);
    expect(Origin.safeParse('*').success).toBe(false);
  });
  it('validates appearance', () => {
    expect(Appearance.safeParse(DEFAULT_APPEARANCE).success).toBe(true);
    expect(Appearance.safeParse({ ...DEFAULT_APPEARANCE, color: 'red' }).success).toBe(false);
    expect(Appearance.safeParse({ ...DEFAULT_APPEARANCE, avatarUrl: 'javascript:alert(1)' }).success).toBe(false);
    expect(Appearance.safeParse({ ...DEFAULT_APPEARANCE, teamName: '' }).success).toBe(false);
  });
  it('allows a partial patch', () => {
    expect(SitePatch.safeParse({ appearance: { color: '#112233' } }).success).toBe(true);
    expect(SitePatch.safeParse({ idleCloseMinutes: 1 }).success).toBe(false);
  });
});

describe('accounts', () => {
  it('lower-cases emails and requires a long enough password for new members', () => {
    expect(LoginBody.parse({ email: ' Admin@Example.COM ', password: 'x' }).email).toBe('admin@example.com');
    expect(LoginBody.safeParse({ email: 'nope', password: 'x' }).success).toBe(false);
    expect(MemberCreate.safeParse({ email: 'a@b.co', name: 'A', role: 'operator', password: 'short' }).success).toBe(false);
    expect(MemberCreate.safeParse({ email: 'a@b.co', name: 'A', role: 'root' }).success).toBe(false);
  });
});

describe('error catalogue', () => {
  it('has SCREAMING_SNAKE codes with an HTTP status and a message', () => {
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(ERROR_CATALOGUE[code].status).toBeGreaterThanOrEqual(400);
      expect(fail(code)).toEqual({ ok: false, error: { code, message: ERROR_CATALOGUE[code].message } });
    }
  });
});

describe('types', () => {
  it('event maps type the acks as results', () => {
    type SendAck = Parameters<VisitorClientEvents['message:send']>[1];
    expectTypeOf<Parameters<SendAck>[0]>().toEqualTypeOf<Result<{ message: Message; conversation: import('../src/index').VisitorConversation }>>();
    expectTypeOf<Server<VisitorClientEvents, VisitorServerEvents>>().not.toBeAny();
    type Client = Socket<VisitorServerEvents, VisitorClientEvents>;
    expectTypeOf<Parameters<Client['emit']>[0]>().toEqualTypeOf<keyof VisitorClientEvents>();
  });
});
