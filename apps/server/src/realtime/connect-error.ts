import { ERROR_CATALOGUE, type ErrorCode } from '@beckon/protocol';

/** An error for Socket.IO middleware: the client's `connect_error` gets `message` and `data.code`. */
export function connectError(code: ErrorCode, message?: string): Error & { data: { code: ErrorCode } } {
  const err = new Error(message ?? ERROR_CATALOGUE[code].message) as Error & { data: { code: ErrorCode } };
  err.data = { code };
  return err;
}
