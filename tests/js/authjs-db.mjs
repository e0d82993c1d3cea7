// Real Auth.js (@auth/core) on its real PostgreSQL adapter (@auth/pg-adapter, database session
// strategy) for tests/it/authjs_db_interop.rs and tests/it/authjs_email_interop.rs. Reads one
// JSON command on stdin, prints one JSON answer on stdout. Every command carries {secret, url,
// database, issuer, clientId, clientSecret}: the auth secret, the app's URL, the PostgreSQL URL
// and the oidc-provider client. Providers: `oidc` (that client) and `email` (Auth.js's e-mail
// provider type, its `sendVerificationRequest` recording the link instead of mailing it).
//
//   {op: "signin"}                     -> {status, location, cookies: {name: value}}
//       POST /signin/oidc after GET /csrf: the redirect to the provider, the check cookies
//   {op: "callback", cookies, query, provider?} -> {status, location, cookies}
//       GET /callback/<provider, oidc by default>?<query> with those cookies (the provider's
//       answer, or an e-mail link's query)
//   {op: "emailSignin", email}         -> {status, location, cookies, mailed: [{identifier, url, expires}]}
//       POST /signin/email {email} after GET /csrf: the links Auth.js "mailed" (expires in
//       Unix seconds); `verificationToken`, when given, is the provider's
//       `generateVerificationToken` (Auth.js's documented way to mail other tokens)
//   {op: "session", cookie}            -> {status, body, setCookies: [..]}
//       GET /session with that Cookie header
//   {op: "signout", cookie}            -> {status, location, setCookies: [..]}
//       POST /signout (after GET /csrf) with that Cookie header
//   {op: "useVerificationToken", identifier, token} -> {row}
//       the adapter's useVerificationToken with Auth.js's hash of the token
//       (sha256(token + secret), as its e-mail sign-in does)
//   {op: "createVerificationToken", identifier, token, expires} -> {}
//       the adapter's createVerificationToken, hashed the same way
import { createHash } from "node:crypto";
import { Auth } from "@auth/core";
import PostgresAdapter from "@auth/pg-adapter";
import pg from "pg";

const input = JSON.parse(await new Promise((resolve) => {
  let data = "";
  process.stdin.on("data", (c) => (data += c));
  process.stdin.on("end", () => resolve(data));
}));

const pool = new pg.Pool({ connectionString: input.database, max: 2 });
const adapter = PostgresAdapter(pool);

const mailed = [];

const config = {
  secret: input.secret,
  basePath: "/api/auth",
  trustHost: true,
  adapter,
  session: { strategy: "database" },
  logger: { error(e) { process.stderr.write(`authjs error: ${e}\n`); }, warn() {}, debug() {} },
  providers: [
    {
      id: "oidc",
      name: "OIDC",
      type: "oidc",
      issuer: input.issuer,
      clientId: input.clientId,
      clientSecret: input.clientSecret,
      // The profile from the userinfo endpoint, as our client reads it: oidc-provider puts
      // only `sub` into an ID token issued with an access token.
      idToken: false,
    },
    // What `Nodemailer` (or the deprecated `Email`) returns, less the transport: the link is
    // recorded for the answer instead of being mailed.
    {
      id: "email",
      type: "email",
      name: "Email",
      from: "Auth.js <no-reply@authjs.dev>",
      maxAge: 24 * 60 * 60,
      ...(input.verificationToken ? { generateVerificationToken: () => input.verificationToken } : {}),
      async sendVerificationRequest({ identifier, url, expires }) {
        mailed.push({ identifier, url, expires: Math.floor(expires.valueOf() / 1000) });
      },
    },
  ],
};

function cookiesOf(res) {
  const out = {};
  for (const c of res.headers.getSetCookie()) {
    const [pair, ...attrs] = c.split(";");
    const i = pair.indexOf("=");
    const name = pair.slice(0, i);
    const cleared = attrs.some((a) => a.trim().toLowerCase() === "max-age=0");
    if (cleared) delete out[name];
    else out[name] = pair.slice(i + 1);
  }
  return out;
}

const header = (jar) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join("; ");
const joined = (...parts) => parts.filter((p) => p).join("; ");
const hashed = (token) => createHash("sha256").update(`${token}${input.secret}`).digest("hex");

async function csrf(cookie) {
  const res = await Auth(new Request(`${input.url}/api/auth/csrf`, { headers: { cookie: cookie ?? "" } }), config);
  const { csrfToken } = await res.json();
  return { csrfToken, jar: cookiesOf(res) };
}

async function post(path, cookie, fields) {
  return Auth(
    new Request(`${input.url}/api/auth/${path}`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    }),
    config,
  );
}

let out;
try {
  switch (input.op) {
    case "signin": {
      const { csrfToken, jar } = await csrf();
      const res = await post("signin/oidc", header(jar), { csrfToken, callbackUrl: `${input.url}/` });
      out = { status: res.status, location: res.headers.get("location"), cookies: { ...jar, ...cookiesOf(res) } };
      break;
    }
    case "callback": {
      const res = await Auth(
        new Request(`${input.url}/api/auth/callback/${input.provider ?? "oidc"}?${input.query}`, {
          headers: { cookie: header(input.cookies ?? {}) },
        }),
        config,
      );
      out = { status: res.status, location: res.headers.get("location"), cookies: { ...input.cookies, ...cookiesOf(res) } };
      break;
    }
    case "emailSignin": {
      const { csrfToken, jar } = await csrf();
      const res = await post("signin/email", header(jar), { csrfToken, email: input.email, callbackUrl: `${input.url}/dashboard` });
      out = { status: res.status, location: res.headers.get("location"), cookies: { ...jar, ...cookiesOf(res) }, mailed };
      break;
    }
    case "session": {
      const res = await Auth(new Request(`${input.url}/api/auth/session`, { headers: { cookie: input.cookie } }), config);
      out = { status: res.status, body: await res.json(), setCookies: res.headers.getSetCookie() };
      break;
    }
    case "signout": {
      const { csrfToken, jar } = await csrf(input.cookie);
      const res = await post("signout", joined(input.cookie, header(jar)), { csrfToken });
      out = { status: res.status, location: res.headers.get("location"), setCookies: res.headers.getSetCookie() };
      break;
    }
    case "useVerificationToken": {
      const row = await adapter.useVerificationToken({ identifier: input.identifier, token: hashed(input.token) });
      out = { row: row && { identifier: row.identifier, token: row.token, expires: Math.floor(row.expires.valueOf() / 1000) } };
      break;
    }
    case "createVerificationToken": {
      await adapter.createVerificationToken({
        identifier: input.identifier,
        token: hashed(input.token),
        expires: new Date(input.expires * 1000),
      });
      out = {};
      break;
    }
    default:
      throw new Error(`unknown op ${input.op}`);
  }
} finally {
  await pool.end();
}
process.stdout.write(JSON.stringify(out));
