// The article's server (docs/article.md, section 3), run for real: Express + jsonwebtoken.
//
// /login and /refresh-token are the article's code. Around them, what a measurement needs,
// each marked "harness": lifetimes in seconds (nobody waits 15 minutes for a 401), the API the
// article does not show (a middleware that checks the access token and answers 401), optional
// rotation with reuse detection, a fixed wait on each endpoint (the database the article does not
// show; a wait, not CPU, so it does not hold the event loop), and /stats: counters and every
// call's arrival and answer time. Everything listens on 127.0.0.1; the process exits on its own
// when nothing has asked it anything for IDLE_EXIT_S seconds, or when its parent closes stdin.
'use strict';
const crypto = require('crypto');
const path = require('path');
const express = require('express');
const jwt = require('jsonwebtoken');

const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const ACCESS_TTL_S = env('ACCESS_TTL_S', 900); // the article: '15m'
// harness: the login's access token may be born expired (0), so that the burst meets a 401 at once
const LOGIN_ACCESS_TTL_S = env('LOGIN_ACCESS_TTL_S', ACCESS_TTL_S);
const REFRESH_TTL_S = env('REFRESH_TTL_S', 604800); // the article: '7d'
const ROTATION = env('ROTATION', 0) === 1; // harness: the article does not rotate
const REUSE_DETECTION = env('REUSE_DETECTION', 0) === 1; // harness: a rotated token used again revokes its family
const API_WAIT_MS = env('API_WAIT_MS', 0); // harness: the resource's work
const AUTH_WAIT_MS = env('AUTH_WAIT_MS', 0); // harness: the token store's work
const IDLE_EXIT_S = env('IDLE_EXIT_S', 120);

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false })); // harness: the OAuth token endpoint's form body

const SECRET_KEY = 'your-secret-key';
const REFRESH_SECRET_KEY = 'your-refresh-secret-key';

// harness: counters and a record of every call, read by the runner at /stats.
const started = Date.now();
let stats;
const resetStats = () => {
  stats = { logins: 0, refresh_calls: 0, refresh_rejected: 0, families_revoked: 0, api_calls: 0, api_401: 0, calls: [] };
};
resetStats();
let lastAsked = Date.now();
app.use((req, res, next) => {
  lastAsked = Date.now();
  const arrived = Date.now();
  res.on('finish', () => {
    if (req.path === '/stats' || req.path === '/reset' || !['POST', 'GET'].includes(req.method)) return;
    if (!['/login', '/refresh-token', '/protected-resource', '/oauth/token'].includes(req.path)) return;
    stats.calls.push({ endpoint: req.path, arrived_ms: arrived, answered_ms: Date.now(), status: res.statusCode, reason: res.locals.reason || '' });
  });
  next();
});
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// harness: rotation. A refresh token names its family and its own id; the server remembers each
// family's newest id, and which families it revoked.
const newest = new Map(); // family -> jti of the refresh token that may be used next
const revoked = new Set();
const refreshTokenFor = (username, family) => {
  const jti = crypto.randomUUID();
  newest.set(family, jti);
  return jwt.sign({ username, fam: family, jti }, REFRESH_SECRET_KEY, { expiresIn: REFRESH_TTL_S });
};

app.post('/login', async (req, res) => {
  const { username, password } = req.body;
  stats.logins += 1;
  await wait(AUTH_WAIT_MS);

  // 模拟用户验证
  if (username === 'admin' && password === 'password') {
    const accessToken = jwt.sign({ username }, SECRET_KEY, { expiresIn: LOGIN_ACCESS_TTL_S });
    const refreshToken = ROTATION
      ? refreshTokenFor(username, crypto.randomUUID())
      : jwt.sign({ username }, REFRESH_SECRET_KEY, { expiresIn: REFRESH_TTL_S });

    res.json({ accessToken, refreshToken });
  } else {
    res.status(401).json({ message: 'Invalid credentials' });
  }
});

const refuse = (res, reason, message) => {
  stats.refresh_rejected += 1;
  res.locals.reason = reason;
  return res.status(401).json({ message });
};

app.post('/refresh-token', async (req, res) => {
  const { refreshToken } = req.body;
  stats.refresh_calls += 1;
  await wait(AUTH_WAIT_MS);

  if (!refreshToken) {
    return refuse(res, 'missing', 'Refresh token is required');
  }

  try {
    const decoded = jwt.verify(refreshToken, REFRESH_SECRET_KEY);
    if (ROTATION) {
      if (revoked.has(decoded.fam)) return refuse(res, 'revoked', 'Refresh token family revoked');
      if (newest.get(decoded.fam) !== decoded.jti) {
        if (REUSE_DETECTION) {
          revoked.add(decoded.fam);
          stats.families_revoked += 1;
        }
        return refuse(res, 'reused', 'Refresh token already used');
      }
      const accessToken = jwt.sign({ username: decoded.username }, SECRET_KEY, { expiresIn: ACCESS_TTL_S });
      return res.json({ accessToken, refreshToken: refreshTokenFor(decoded.username, decoded.fam) });
    }
    const accessToken = jwt.sign({ username: decoded.username }, SECRET_KEY, { expiresIn: ACCESS_TTL_S });
    res.json({ accessToken });
  } catch (error) {
    return refuse(res, 'invalid', 'Invalid refresh token');
  }
});

// harness: the same two grants as an OAuth 2.0 token endpoint (RFC 6749 sections 4.3 and 6), for the
// Python clients (reality/python_clients.py): a form body, `access_token`, `token_type`,
// `expires_in` and `refresh_token` in the answer, and 400 `invalid_grant` for a refused grant.
// The same tokens, lifetimes, rotation, waits and counters as /login and /refresh-token.
const grantError = (res, reason) => {
  stats.refresh_rejected += 1;
  res.locals.reason = reason;
  return res.status(400).json({ error: 'invalid_grant', error_description: reason });
};
app.post('/oauth/token', async (req, res) => {
  const grant = req.body.grant_type;
  if (grant === 'password') {
    stats.logins += 1;
    await wait(AUTH_WAIT_MS);
    if (req.body.username !== 'admin' || req.body.password !== 'password') {
      res.locals.reason = 'credentials';
      return res.status(400).json({ error: 'invalid_grant' });
    }
    const refreshToken = ROTATION
      ? refreshTokenFor('admin', crypto.randomUUID())
      : jwt.sign({ username: 'admin' }, REFRESH_SECRET_KEY, { expiresIn: REFRESH_TTL_S });
    return res.json({
      access_token: jwt.sign({ username: 'admin' }, SECRET_KEY, { expiresIn: LOGIN_ACCESS_TTL_S }),
      token_type: 'Bearer',
      expires_in: LOGIN_ACCESS_TTL_S,
      refresh_token: refreshToken,
    });
  }
  if (grant !== 'refresh_token') return res.status(400).json({ error: 'unsupported_grant_type' });
  stats.refresh_calls += 1;
  await wait(AUTH_WAIT_MS);
  let decoded;
  try {
    decoded = jwt.verify(req.body.refresh_token || '', REFRESH_SECRET_KEY);
  } catch (error) {
    return grantError(res, req.body.refresh_token ? 'invalid' : 'missing');
  }
  const answer = { token_type: 'Bearer', expires_in: ACCESS_TTL_S };
  if (ROTATION) {
    if (revoked.has(decoded.fam)) return grantError(res, 'revoked');
    if (newest.get(decoded.fam) !== decoded.jti) {
      if (REUSE_DETECTION) {
        revoked.add(decoded.fam);
        stats.families_revoked += 1;
      }
      return grantError(res, 'reused');
    }
    answer.refresh_token = refreshTokenFor(decoded.username, decoded.fam);
  }
  answer.access_token = jwt.sign({ username: decoded.username }, SECRET_KEY, { expiresIn: ACCESS_TTL_S });
  return res.json(answer);
});

// harness: the API the article's section 1.1 describes (a 401 for a missing or expired token).
app.get('/protected-resource', async (req, res) => {
  stats.api_calls += 1;
  const header = req.get('Authorization') || '';
  let ok = false;
  try {
    jwt.verify(header.replace(/^Bearer /, ''), SECRET_KEY);
    ok = true;
  } catch (error) {
    res.locals.reason = error.name === 'TokenExpiredError' ? 'expired' : 'invalid';
  }
  if (!ok) {
    stats.api_401 += 1;
    return res.status(401).json({ message: 'Unauthorized' }); // the check comes before the work
  }
  await wait(API_WAIT_MS);
  res.json({ data: 'protected' });
});

app.get('/stats', (req, res) => res.json({ ...stats, started_ms: started, node: process.version }));
app.post('/reset', (req, res) => {
  resetStats();
  newest.clear();
  revoked.clear();
  res.json({ ok: true });
});
app.use('/vendor', express.static(path.join(__dirname, 'node_modules', 'axios', 'dist')));
app.use(express.static(path.join(__dirname, 'client')));

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  // The runner reads this line to learn the port.
  console.log(JSON.stringify({ listening: server.address().port }));
});
setInterval(() => {
  if (Date.now() - lastAsked > IDLE_EXIT_S * 1000) process.exit(0);
}, 1000).unref();
setTimeout(() => process.exit(0), 3600 * 1000).unref(); // an hour at most, whatever happens
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
