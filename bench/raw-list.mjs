// The raw baseline of `npm run bench` (a): what the machine needs to receive and parse a list,
// with nothing of kmux. Fetches every page of the pod list of all namespaces
// (`/api/v1/pods?limit=N&continue=...`) over one keep-alive connection with the cluster's CA and
// client certificate, JSON-parses each page, and prints `<items> <pages>`. Plain JavaScript, so
// node runs it with no loader.
//
// node raw-list.mjs ACCESS.json   where ACCESS.json is {server, pageSize, ca?, cert?, key?} (PEM text)
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

const a = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const secure = a.server.startsWith('https:');
const agent = secure ? new HttpsAgent({ keepAlive: true, ca: a.ca, cert: a.cert, key: a.key }) : new HttpAgent({ keepAlive: true });
const request = secure ? httpsRequest : httpRequest;

function page(cont) {
  const q = new URLSearchParams({ limit: String(a.pageSize) });
  if (cont) q.set('continue', cont);
  return new Promise((resolve, reject) => {
    const req = request(`${a.server}/api/v1/pods?${q}`, { agent, headers: { Accept: 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 500)}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

let items = 0;
let pages = 0;
let cont;
do {
  const list = await page(cont);
  items += list.items.length;
  pages++;
  cont = list.metadata?.continue || undefined;
} while (cont);
agent.destroy();
process.stdout.write(`${items} ${pages}\n`);
