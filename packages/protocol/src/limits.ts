/** Bounds on everything the public endpoints accept. Shared by server, widget and console. */
export const LIMITS = {
  /** characters in one chat message */
  messageLength: 4000,
  /** characters of a conversation's last message shown in the chat list */
  previewChars: 140,
  /** one's own last message can be edited or deleted this long after it was sent */
  editWindowMs: 5 * 60_000,
  /** bytes in one Socket.IO frame (socket.io `maxHttpBufferSize`) */
  frameBytes: 64 * 1024,
  /** bytes in one HTTP body */
  httpBodyBytes: 256 * 1024,
  /** client-generated message id */
  clientIdLength: 64,
  /** per-socket events: sustained rate and burst (token bucket) */
  socketEventsPerSecond: 10,
  socketEventBurst: 30,
  /** messages returned by one history page / first sync */
  historyPage: 50,
  /** a sync that misses more than this returns the newest page and `reset: true` */
  syncMax: 500,
  /** allowed origins per site */
  originsPerSite: 50,
  /** rules and saved replies of one site: the console loads them whole */
  rulesPerSite: 200,
  cannedPerSite: 1000,
  /** inbox items per page */
  inboxPage: 50,
  /** login attempts per IP per minute */
  loginPerMinute: 10,
  /** default maximum concurrent chats of an operator */
  defaultCapacity: 5,
} as const;
