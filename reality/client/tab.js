// What the runner needs from a tab, around the interceptors (which are in interceptors.js):
// log in, fire a burst of requests at an agreed moment, and report how each ended.
'use strict';
window.lab = (() => {
  const params = new URLSearchParams(location.search);
  const records = [];
  let logouts = 0;
  const lab = {
    records,
    refreshes_ms: [], // when this tab made a refresh call (or asked the SharedWorker for one)
    strategy: params.get('strategy') || 'naive',
    tab: Number(params.get('tab') || 0),
    // The article's catch ends with `window.location.href = '/login'`. Navigating would throw
    // away this tab's records, so the tab counts the logout and stays (what it has in flight
    // goes on, as it would for the moment before the navigation takes effect).
    toLogin() {
      logouts += 1;
    },
    async login() {
      const { data } = await axios.post('/login', { username: 'admin', password: 'password' });
      localStorage.setItem('accessToken', data.accessToken);
      localStorage.setItem('refreshToken', data.refreshToken);
      lab.loggedIn?.(data); // the worker strategy hands the login's tokens to its SharedWorker
    },
    // Each request its own URL: Chromium's HTTP cache lets only one request per URL at a time reach
    // the network (the cache lock), which would line up a burst of identical GETs one behind another;
    // and each burst its own (`at`), so a tab reloaded for the next repetition does not revalidate
    // the last one's answers from its cache (304s).
    // Start `count` requests at epoch millisecond `atMs`, all at once (ProtectedComponent's fetchData).
    schedule(atMs, count) {
      lab.done = new Promise((resolve) => {
        setTimeout(async () => {
          const one = async (i) => {
            const record = { tab: lab.tab, request: i, created_ms: Date.now(), status: 0, api_calls: 0 };
            const index = records.push(record) - 1; // axios copies its config: pass an index, not the record
            try {
              const response = await lab.api.get(`/protected-resource?request=${lab.tab}-${i}&at=${atMs}`, { _record: index });
              record.status = response.status;
            } catch (error) {
              record.status = error.response ? error.response.status : -1;
            }
            record.ended_ms = Date.now();
          };
          await Promise.all(Array.from({ length: count }, (_, i) => one(i)));
          resolve();
        }, Math.max(0, atMs - Date.now()));
      });
    },
    async results() {
      await lab.done;
      return { records, logouts, refreshes_ms: lab.refreshes_ms, strategy: lab.strategy, tab: lab.tab };
    },
  };
  return lab;
})();
