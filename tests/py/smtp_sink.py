"""A real SMTP server on loopback for the e-mail sign-in tests (aiosmtpd).

Usage: python smtp_sink.py OUT_DIR

Listens on 127.0.0.1 on a port the system picks and prints it as the first line of stdout.
Every message accepted is written to OUT_DIR as NNNN.json: the envelope ("mail_from",
"rcpt_tos"), the message as received ("data") and, parsed by Python's email package,
"subject", "from", "to", "text" and "html" (the decoded parts). A recipient containing
"reject" is refused with 550. Exits when its stdin closes (the test that started it ended).
"""

import asyncio
import email
import email.policy
import json
import os
import sys
import threading

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "reject" in address:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)

        def part(kind):
            body = message.get_body(preferencelist=(kind,))
            return body.get_content() if body is not None else None

        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": raw.decode("utf-8", "replace"),
            "subject": str(message["subject"] or ""),
            "from": str(message["from"] or ""),
            "to": str(message["to"] or ""),
            "text": part("plain"),
            "html": part("html"),
        }
        name = "%04d.json" % self.count
        tmp = os.path.join(self.out_dir, "." + name)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.replace(tmp, os.path.join(self.out_dir, name))
        return "250 Message accepted for delivery"


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


async def main(out_dir):
    loop = asyncio.get_running_loop()
    sink = Sink(out_dir)
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test"), host="127.0.0.1", port=0
    )
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
