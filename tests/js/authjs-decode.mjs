// Reads a session token with the real Auth.js: `decode` from @auth/core/jwt.
// stdin: {"token": "<jwe>", "secret": "s" | ["new", "old"], "salt": "<cookie name>"}
// stdout: {"payload": {..}} or {"error": "<name>: <message>"} (exit code 0 either way).
import { decode } from "@auth/core/jwt";

const input = JSON.parse(await new Response(process.stdin).text());
try {
  const payload = await decode({ token: input.token, secret: input.secret, salt: input.salt });
  process.stdout.write(JSON.stringify({ payload }));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: `${e?.name}: ${e?.message}` }));
}
