// The refresh in one place for every tab: a SharedWorker of the origin (one per browser profile),
// the `worker` strategy of interceptors.js. A tab that met a 401 asks it for a token; the worker
// sends at most one refresh at a time and keeps the tokens it got in its own memory, so no tab can
// read an old refresh token from localStorage (which a tab sees another tab's write to a moment
// late: reality/storage_probe.py). Workers have no localStorage: the tab that logs in hands over the
// login's tokens (or, failing that, the first tab to ask hands over what its store holds), and the
// worker's copy is the one that counts from then on.
'use strict';
let tokens = null; // { accessToken, refreshToken }: the newest the worker knows
let refreshing = null; // the refresh in flight, shared by every tab that asks meanwhile

const refresh = async () => {
  const response = await fetch('/refresh-token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refreshToken: tokens.refreshToken }),
  });
  if (!response.ok) {
    tokens = null; // refused: the user logs in again, and the next login hands over new tokens
    throw new Error(`refresh answered ${response.status}`);
  }
  const answer = await response.json();
  tokens = { accessToken: answer.accessToken, refreshToken: answer.refreshToken || tokens.refreshToken };
  return tokens;
};

// A tab asks: { id, stale, stored }: the access token that got the 401, and the tokens in its store.
const answer = async ({ stale, stored }) => {
  tokens ??= stored;
  if (!tokens || !tokens.refreshToken) throw new Error('no refresh token');
  if (tokens.accessToken !== stale) return tokens; // already refreshed, for another tab or request
  return (refreshing ??= refresh().finally(() => (refreshing = null)));
};

onconnect = (event) => {
  const port = event.ports[0];
  port.onmessage = ({ data }) => {
    if (data.login) {
      tokens = data.login; // a new login: its tokens replace whatever the worker held
      return;
    }
    answer(data).then(
      (newest) => port.postMessage({ id: data.id, tokens: newest }),
      (error) => port.postMessage({ id: data.id, error: String(error) }),
    );
  };
};
