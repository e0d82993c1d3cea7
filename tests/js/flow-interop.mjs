// Real Auth.js (@auth/core) for the flow interop tests (tests/it/flow_interop.rs).
// Reads one JSON command on stdin, prints one JSON answer on stdout.
//
//   {op: "encode", secret, salt, token, maxAge?}          -> {token}
//   {op: "decode", secret, salt, token}                   -> {payload} | {error}
//   {op: "signin", secret, url, username, callbackUrl?}   -> {status, location, cookies: {name: value}}
//       a credentials sign-in through Auth.js's own endpoints (GET /csrf, POST /callback/credentials);
//       user `big` gets a 6000-character claim (chunked cookie)
//   {op: "session", secret, url, cookie}                  -> {status, body, setCookies: [..]}
//       Auth.js's GET /session with that Cookie header
import { Auth } from "@auth/core";
import { encode, decode } from "@auth/core/jwt";
import Credentials from "@auth/core/providers/credentials";

const input = JSON.parse(await new Promise((resolve) => {
  let data = "";
  process.stdin.on("data", (c) => (data += c));
  process.stdin.on("end", () => resolve(data));
}));

function config(secret) {
  return {
    secret,
    basePath: "/api/auth",
    trustHost: true,
    logger: { error() {}, warn() {}, debug() {} },
    providers: [
      Credentials({
        credentials: { username: {}, password: {} },
        authorize: async (c) =>
          c.password === "pw"
            ? { id: `id-${c.username}`, name: c.username, email: `${c.username}@example.com` }
            : null,
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.role = user.id === "id-admin" ? "admin" : "user";
          if (user.id === "id-big") token.blob = "b".repeat(6000);
        }
        return token;
      },
      session({ session, token }) {
        session.user.id = token.sub;
        session.user.role = token.role;
        return session;
      },
    },
  };
}

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

let out;
switch (input.op) {
  case "encode":
    out = { token: await encode({ secret: input.secret, salt: input.salt, token: input.token, maxAge: input.maxAge }) };
    break;
  case "decode":
    try {
      out = { payload: await decode({ secret: input.secret, salt: input.salt, token: input.token }) };
    } catch (e) {
      out = { error: String(e?.message ?? e) };
    }
    break;
  case "signin": {
    const cfg = config(input.secret);
    let jar = {};
    const csrfRes = await Auth(new Request(`${input.url}/api/auth/csrf`), cfg);
    jar = { ...jar, ...cookiesOf(csrfRes) };
    const { csrfToken } = await csrfRes.json();
    const body = new URLSearchParams({ csrfToken, username: input.username, password: "pw", callbackUrl: input.callbackUrl ?? "/" });
    const res = await Auth(
      new Request(`${input.url}/api/auth/callback/credentials`, {
        method: "POST",
        headers: { cookie: header(jar), "content-type": "application/x-www-form-urlencoded" },
        body,
      }),
      cfg,
    );
    jar = { ...jar, ...cookiesOf(res) };
    out = { status: res.status, location: res.headers.get("location"), cookies: jar, csrfToken };
    break;
  }
  case "session": {
    const res = await Auth(new Request(`${input.url}/api/auth/session`, { headers: { cookie: input.cookie } }), config(input.secret));
    out = { status: res.status, body: await res.json(), setCookies: res.headers.getSetCookie() };
    break;
  }
  default:
    throw new Error(`unknown op ${input.op}`);
}
process.stdout.write(JSON.stringify(out));
