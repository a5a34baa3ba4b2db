// How long one tab's localStorage write takes to be seen by another tab of the same browser.
// Chromium keeps a copy of a site's localStorage in each renderer and sends a write to the others
// over IPC (third_party/blink/renderer/modules/storage/cached_storage_area.cc): a tab can read the
// old value for a moment after another tab wrote the new one. Two measurements, both driven by
// reality/storage_probe.py:
// - delay: a writer tab writes `count` values; a reader tab polls getItem, yielding between polls so
//   the IPC task can run, and notes when each value first shows; times are performance.timeOrigin +
//   performance.now(), one clock for every tab of the machine;
// - handoff: the writer writes under a Web Lock and releases it; the reader, waiting on the same lock,
//   reads as soon as it holds it (the lab's cross_tab_lock and its second look at the store), and
//   notes how long after the writer let go of the lock it was granted;
// - worker: how long a tab's first question to a new SharedWorker takes (its start), and a second.
'use strict';
window.probe = (() => {
  const now = () => performance.timeOrigin + performance.now();
  const KEY = 'probe';
  const yieldToTasks = () => new Promise((resolve) => {
    const channel = new MessageChannel(); // a task, not a microtask: IPC from the other tab can run first
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    // Reader: note when each of the values 0..count-1 first shows; give up after timeoutMs.
    async watch(count, timeoutMs) {
      const seen = new Array(count).fill(null);
      const until = now() + timeoutMs;
      let found = 0;
      while (found < count && now() < until) {
        const value = localStorage.getItem(KEY);
        const index = value === null ? -1 : Number(value.split(':')[0]);
        if (index >= 0 && index < count && seen[index] === null) {
          seen[index] = now();
          found += 1;
        }
        await yieldToTasks();
      }
      return seen;
    },
    // Writer: write the values 0..count-1, gapMs apart; the times they were written.
    async write(count, gapMs) {
      const written = [];
      for (let i = 0; i < count; i += 1) {
        written.push(now());
        localStorage.setItem(KEY, `${i}:${Math.random()}`);
        await pause(gapMs);
      }
      return written;
    },
    // Handoff, writer: take the lock (resolves once held), keep it holdMs, write value `i`, release it;
    // probe.held settles at the release.
    takeLockThenWrite(i, holdMs) {
      return new Promise((held) => {
        probe.held = navigator.locks.request(KEY, async () => {
          held();
          await pause(holdMs);
          localStorage.setItem(KEY, `${i}:${Math.random()}`);
          probe.released = now(); // the lock is let go as this callback returns
        });
      });
    },
    // Handoff, reader: ask for the lock now (behind the writer); once it holds it, read the store:
    // is value `i` there yet? probe.handoff settles with the answer and when the lock was granted.
    readUnderLock(i) {
      probe.handoff = navigator.locks.request(KEY, async () => {
        const granted = now();
        const value = localStorage.getItem(KEY);
        return { fresh: value !== null && Number(value.split(':')[0]) === i, granted };
      });
    },
    // Worker: start the lab's SharedWorker (reality/client/refresh-worker.js) and ask it twice for
    // tokens it already has (no refresh call): the first answer's time includes the worker's start,
    // the second is one message there and back. Ms, [first, second].
    async askWorker() {
      const worker = new SharedWorker('/refresh-worker.js');
      const ask = (id) => new Promise((resolve) => {
        const sent = now();
        worker.port.onmessage = () => resolve(now() - sent);
        worker.port.postMessage({ id, stale: 'stale', stored: { accessToken: 'a', refreshToken: 'r' } });
      });
      return [await ask(1), await ask(2)];
    },
  };
})();
