import type { Namespace, Server } from 'socket.io';
import type { OperatorClientEvents, OperatorServerEvents, Role, VisitorClientEvents, VisitorServerEvents } from '@beckon/protocol';

export interface VisitorData {
  siteId: string;
  visitorId: string;
  token: string;
  /** the widget's language */
  lang: 'en' | 'ru';
  /** a crawler's user agent: its journey is not tracked */
  bot: boolean;
  /** the browser's address (behind a trusted proxy: from X-Forwarded-For) */
  address: string;
}

export interface OperatorData {
  accountId: string;
  name: string;
  sites: { siteId: string; role: Role }[];
}

export type VisitorNamespace = Namespace<VisitorClientEvents, VisitorServerEvents, Record<string, never>, VisitorData>;
export type OperatorNamespace = Namespace<OperatorClientEvents, OperatorServerEvents, Record<string, never>, OperatorData>;
export type BeckonIo = Server;

export const rooms = {
  visitor: (visitorId: string) => `v:${visitorId}`,
  siteVisitors: (siteId: string) => `sv:${siteId}`,
  siteOperators: (siteId: string) => `so:${siteId}`,
  account: (accountId: string) => `a:${accountId}`,
};
