// Reads session tokens with the real Auth.js: `decode` from @auth/core/jwt.
// stdin: one job or an array of jobs {"token": "<jwe>", "secret": "s" | ["new", "old"], "salt": "<cookie name>"}
// stdout: JSON, {"payload": {..}} or {"error": "<name>: <message>"} per job.
import { decode } from "@auth/core/jwt";

async function run({ token, secret, salt }) {
  try {
    return { payload: await decode({ token, secret, salt }) };
  } catch (e) {
    return { error: `${e?.name}: ${e?.message}` };
  }
}

const input = JSON.parse(await new Response(process.stdin).text());
const output = Array.isArray(input) ? await Promise.all(input.map(run)) : await run(input);
process.stdout.write(JSON.stringify(output));
