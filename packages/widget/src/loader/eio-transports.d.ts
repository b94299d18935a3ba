// engine.io-client's transport classes, reached by path in build.mjs (not public API).
declare module 'eio-transports/websocket.js' {
  export const WS: new (...args: never[]) => unknown;
}
