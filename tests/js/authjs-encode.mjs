// Mints session tokens with the real Auth.js: `encode` from @auth/core/jwt.
// stdin: one job or an array of jobs
//   {"token": {..claims}, "secret": "s" | ["new", "old"], "salt": "<cookie name>", "maxAge"?: seconds}
// With "enc": "A256GCM" a job writes the other encryption @auth/core's `decode` accepts,
// with Auth.js's HKDF key (32 bytes) and kid rule, through jose's EncryptJWT as Auth.js uses it.
// stdout: JSON, the token (or an array of tokens).
import { encode } from "@auth/core/jwt";
import { hkdf } from "@panva/hkdf";
import { EncryptJWT, base64url, calculateJwkThumbprint } from "jose";

async function run({ token, secret, salt, maxAge, enc }) {
  if (enc !== "A256GCM") return encode({ token, secret, salt, maxAge });
  const first = Array.isArray(secret) ? secret[0] : secret;
  const key = await hkdf("sha256", first, salt, `Auth.js Generated Encryption Key (${salt})`, 32);
  const kid = await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, "sha256");
  return new EncryptJWT(token)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid })
    .setIssuedAt()
    .setExpirationTime(((Date.now() / 1000) | 0) + (maxAge ?? 2592000))
    .setJti(crypto.randomUUID())
    .encrypt(key);
}

const input = JSON.parse(await new Response(process.stdin).text());
const output = Array.isArray(input) ? await Promise.all(input.map(run)) : await run(input);
process.stdout.write(JSON.stringify(output));
