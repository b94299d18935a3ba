// Replaces engine.io-client's transport list in the widget build (see build.mjs): WebSocket
// only. The path is engine.io-client's internal layout (6.6.8, the version socket.io-client
// resolves, so one copy ships); the bundle test and build.mjs guard it.
import { WS } from 'eio-transports/websocket.js';

export const transports = { websocket: WS };
