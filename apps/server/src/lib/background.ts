/**
 * Work started and not awaited still has its failure handled: in Node 20 an unhandled
 * rejection ends the process. The lint rule `no-floating-promises` (without `void`) sends
 * every such call here.
 *
 *   background(chat.dispatch(siteId), log, 'dispatch');
 */
export interface ErrorLog {
  error(obj: unknown, msg: string): void;
}

export function background(p: Promise<unknown> | void, log: ErrorLog, what: string): void {
  if (p) p.catch((err: unknown) => log.error({ err }, `${what} failed`));
}
