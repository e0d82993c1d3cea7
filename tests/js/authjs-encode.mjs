// Mints a session token with the real Auth.js: `encode` from @auth/core/jwt.
// stdin: {"token": {..claims}, "secret": "s" | ["new", "old"], "salt": "<cookie name>", "maxAge"?: seconds}
// With "enc": "A256GCM" it writes the other encryption @auth/core's `decode` accepts,
// using the same HKDF key derivation and kid rule (jose's EncryptJWT, as Auth.js does).
// stdout: the token.
import { encode } from "@auth/core/jwt";
import { hkdf } from "@panva/hkdf";
import { EncryptJWT, base64url, calculateJwkThumbprint } from "jose";

const input = JSON.parse(await new Response(process.stdin).text());
let jwt;
if (input.enc === "A256GCM") {
  const secret = Array.isArray(input.secret) ? input.secret[0] : input.secret;
  const key = await hkdf("sha256", secret, input.salt, `Auth.js Generated Encryption Key (${input.salt})`, 32);
  const kid = await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, "sha256");
  const now = (Date.now() / 1000) | 0;
  jwt = await new EncryptJWT(input.token)
    .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid })
    .setIssuedAt()
    .setExpirationTime(now + (input.maxAge ?? 2592000))
    .setJti(crypto.randomUUID())
    .encrypt(key);
} else {
  jwt = await encode({ token: input.token, secret: input.secret, salt: input.salt, maxAge: input.maxAge });
}
process.stdout.write(jwt);
