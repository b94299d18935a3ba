// The WAL checkpointer's thread (sqlite-checkpoint.ts): its own connection to the store's file,
// a PASSIVE checkpoint every `everyMs` (it never waits for a lock, never blocks a reader or the
// writer), until told to stop. Plain JavaScript: a worker thread gets no TypeScript loader.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');

const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 0');
db.pragma(`synchronous = ${workerData.synchronous}`);
let runs = 0;
let frames = 0;
const checkpoint = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    runs++;
    frames += r.checkpointed;
  } catch {
    // SQLITE_BUSY: another checkpoint is running (the writer's own fallback); next turn
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'now') {
    checkpoint();
    parentPort.postMessage({ runs, frames });
  } else if (m === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
parentPort.postMessage('ready');
