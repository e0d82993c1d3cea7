// Verifies auth-runtime's signed (JWS) session tokens with jose, the library Auth.js uses,
// deriving the HS256 key as documented on `TokenFormat::Hs256`.
// stdin: one job or an array of jobs
//   {"token": "<jws>", "alg": "HS256", "secret": "s", "salt": "<cookie name>"}
//   {"token": "<jws>", "alg": "EdDSA", "publicKeyPem": "-----BEGIN PUBLIC KEY-----..."}
// stdout: JSON, {"payload": {..}, "header": {..}} or {"error": "<name>: <message>"} per job.
import { hkdfSync } from "node:crypto";
import { importSPKI, jwtVerify } from "jose";

async function run({ token, alg, secret, salt, publicKeyPem }) {
  try {
    const key = alg === "HS256"
      ? new Uint8Array(hkdfSync("sha256", secret, salt, `auth-runtime HS256 Signing Key (${salt})`, 32))
      : await importSPKI(publicKeyPem, "EdDSA");
    const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: [alg], clockTolerance: 15 });
    return { payload, header: protectedHeader };
  } catch (e) {
    return { error: `${e?.name}: ${e?.message}` };
  }
}

const input = JSON.parse(await new Response(process.stdin).text());
const output = Array.isArray(input) ? await Promise.all(input.map(run)) : await run(input);
process.stdout.write(JSON.stringify(output));
