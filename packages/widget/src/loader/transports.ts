import { WS } from 'eio-transports/websocket.js';
export const transports = { websocket: WS };
