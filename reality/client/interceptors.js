// The article's interceptor (docs/article.md, section 2.1) and the lab's fixes, on axios in a
// real tab. Each strategy makes `lab.api`; the page's URL (?strategy=...) picks one. Changes to
// the article's code, each marked: the base URL is this server; a rotated refresh token in the
// answer is stored (the article's server never sends one); the catch counts the logout instead of
// navigating (tab.js says why); each call is counted for the runner.
'use strict';
(() => {
  const api = axios.create({ headers: { 'Content-Type': 'application/json' } });

  // 请求拦截器：在请求头中添加 Access Token (runs when the call is made, before the browser's queue)
  api.interceptors.request.use((config) => {
    const accessToken = localStorage.getItem('accessToken');
    if (accessToken) {
      config.headers.Authorization = `Bearer ${accessToken}`;
    }
    if (config._record !== undefined) lab.records[config._record].api_calls += 1; // harness
    return config;
  });

  const bearer = (config) => (config.headers.Authorization || '').replace(/^Bearer /, '');
  // harness: when a request met its 401, and when the tab made (or asked for) a refresh
  const note401 = (config) => {
    if (config._record !== undefined) lab.records[config._record].unauthorized_ms = Date.now();
  };
  const noteRefresh = () => lab.refreshes_ms.push(Date.now());
  const logout = (refreshError) => {
    localStorage.removeItem('accessToken');
    localStorage.removeItem('refreshToken');
    lab.toLogin(); // the article: window.location.href = '/login';
    return Promise.reject(refreshError);
  };
  // One refresh call, as the article makes it; its answer stored.
  const refreshTokens = async () => {
    const refreshToken = localStorage.getItem('refreshToken');
    noteRefresh(); // harness
    const response = await axios.post('/refresh-token', { refreshToken });
    const { accessToken } = response.data;
    localStorage.setItem('accessToken', accessToken);
    if (response.data.refreshToken) localStorage.setItem('refreshToken', response.data.refreshToken); // rotation
    return accessToken;
  };
  const retryWith = (originalRequest, accessToken) => {
    originalRequest.headers['Authorization'] = `Bearer ${accessToken}`;
    return api(originalRequest);
  };

  // naive: the article's. Every request that meets a 401 sends its own refresh.
  const naive = async (error) => {
    const originalRequest = error.config;
    if (error.response?.status === 401 && !originalRequest._retry) {
      originalRequest._retry = true;
      note401(originalRequest); // harness
      try {
        return retryWith(originalRequest, await refreshTokens());
      } catch (refreshError) {
        return logout(refreshError);
      }
    }
    return Promise.reject(error);
  };

  // locked: one refresh in flight per tab, shared by every 401 that meets it; and the late-401
  // check: a 401 for a token that is no longer the stored one is retried with the stored one.
  let refreshing = null;
  const refreshOnce = () => (refreshing ??= refreshTokens().finally(() => (refreshing = null)));
  const lockedWith = (refresh) => async (error) => {
    const originalRequest = error.config;
    if (error.response?.status === 401 && !originalRequest._retry) {
      originalRequest._retry = true;
      note401(originalRequest); // harness
      const stored = localStorage.getItem('accessToken');
      if (stored && stored !== bearer(originalRequest)) return retryWith(originalRequest, stored);
      try {
        return retryWith(originalRequest, await refresh(bearer(originalRequest)));
      } catch (refreshError) {
        return logout(refreshError);
      }
    }
    return Promise.reject(error);
  };

  // weblock: locked, and the tab's refresh taken under a Web Lock shared by every tab of the
  // origin, with a second look at the store once the lock is held (auth0-spa-js's pattern).
  const underWebLock = (stale) =>
    (refreshing ??= navigator.locks
      .request('token-refresh', async () => {
        const stored = localStorage.getItem('accessToken');
        if (stored && stored !== stale) return stored; // another tab refreshed while this one waited
        return refreshTokens();
      })
      .finally(() => (refreshing = null)));

  // worker: locked, and the tab's refresh asked of one SharedWorker for all tabs (refresh-worker.js),
  // which keeps the tokens in its memory; the tab stores what it answers, for its next calls. The tab
  // connects when it loads (a worker started at the first 401 would put its start, tens of ms, on the
  // refresh's path) and hands the worker each login's tokens.
  const asked = new Map(); // id -> { resolve, reject }
  let lastId = 0;
  let worker = null;
  if (lab.strategy === 'worker') {
    worker = new SharedWorker('/refresh-worker.js');
    worker.port.onmessage = ({ data }) => {
      const { resolve: done, reject: fail } = asked.get(data.id);
      asked.delete(data.id);
      if (data.error) fail(new Error(data.error));
      else done(data.tokens);
    };
    lab.loggedIn = (tokens) => worker.port.postMessage({ login: tokens });
  }
  const viaWorker = (stale) =>
    (refreshing ??= new Promise((resolve, reject) => {
      const id = (lastId += 1);
      asked.set(id, { resolve, reject });
      const stored = { accessToken: localStorage.getItem('accessToken'), refreshToken: localStorage.getItem('refreshToken') };
      noteRefresh(); // harness
      worker.port.postMessage({ id, stale, stored });
    })
      .then((tokens) => {
        localStorage.setItem('accessToken', tokens.accessToken);
        localStorage.setItem('refreshToken', tokens.refreshToken);
        return tokens.accessToken;
      })
      .finally(() => (refreshing = null)));

  const strategies = {
    naive,
    locked: lockedWith(refreshOnce),
    weblock: lockedWith(underWebLock),
    worker: lockedWith(viaWorker),
  };
  const onError = strategies[lab.strategy];
  if (!onError) throw new Error(`strategy = ${lab.strategy}: must be one of ${Object.keys(strategies).join(', ')}`);
  api.interceptors.response.use((response) => response, onError);
  lab.api = api;
})();
