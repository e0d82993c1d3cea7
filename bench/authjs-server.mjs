// Auth.js (@auth/core, the version tests/js pins) on Node's http server, for scripts/bench:
//
//   node bench/authjs-server.mjs PORT NODE_MODULES_DIR
//
// Every request goes to `Auth(request, config)` (the framework-neutral entry point the
// Next.js, Express and SvelteKit integrations wrap), so `GET /api/auth/session` decodes,
// runs the callbacks and re-encodes the JWE session cookie, as the quickstart does. One
// credentials user, demo/demo, with the quickstart's `jwt` and `session` callbacks.
// Listens on 127.0.0.1 only; AUTH_SECRET from the environment.
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [port, modules] = process.argv.slice(2);
if (!port || !modules) {
  console.error("usage: node authjs-server.mjs PORT NODE_MODULES_DIR");
  process.exit(2);
}
// Resolve from tests/js's node_modules (no second install for the benchmark).
const resolve = createRequire(path.join(path.resolve(modules), "noop.js")).resolve;
const load = async (name) => import(pathToFileURL(resolve(name)).href);
const { Auth } = await load("@auth/core");
const { default: Credentials } = await load("@auth/core/providers/credentials");

const config = {
  secret: process.env.AUTH_SECRET ?? "bench-only-secret-not-for-production",
  basePath: "/api/auth",
  trustHost: true,
  logger: { error() {}, warn() {}, debug() {} },
  providers: [
    Credentials({
      credentials: { username: {}, password: {} },
      authorize: async (c) =>
        c.username === "demo" && c.password === "demo"
          ? { id: "1", name: "Demo User", email: "demo@example.com" }
          : null,
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) token.role = user.id === "1" ? "admin" : "user";
      return token;
    },
    session({ session, token }) {
      session.user.id = token.sub;
      session.user.role = token.role;
      return session;
    },
  },
};

async function handle(req, res) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  let body;
  if (req.method !== "GET" && req.method !== "HEAD") {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    body = Buffer.concat(chunks);
  }
  const response = await Auth(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body }), config);
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  res.writeHead(response.status);
  res.end(Buffer.from(await response.arrayBuffer()));
}

const server = http.createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});
server.listen(Number(port), "127.0.0.1", () => console.log(`Auth.js listening on http://127.0.0.1:${port}`));
