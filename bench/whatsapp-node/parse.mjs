// Peer side of chatwarden's WhatsApp parse benchmark: the npm package
// whatsapp-chat-parser (Pustur/whatsapp-chat-parser, MIT), used as its README shows.
// Prints one JSON line: messages parsed and seconds spent parsing (file read excluded).
import fs from 'node:fs';
import * as whatsapp from 'whatsapp-chat-parser';

const file = process.argv[2];
const text = fs.readFileSync(file, 'utf8');
const start = process.hrtime.bigint();
const messages = whatsapp.parseString(text);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ messages: messages.length, parse_seconds: seconds }));
