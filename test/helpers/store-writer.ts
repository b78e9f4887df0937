// Child process for the store crash tests: writes subscribers one after another and
// prints "ack <n>" once each write is acknowledged, until killed or `count` is reached.
import { openStore } from "../../sidecar/store/open.js";
import { fakeSubscriber } from "./fixtures.js";

const [dataFile, countArg, compactArg] = process.argv.slice(2);
if (!dataFile) throw new Error("usage: store-writer <dataFile> [count] [compactBytes]");
const store = await openStore(dataFile, { compactBytes: Number(compactArg ?? 4096) });
process.stdout.write("ready\n");
const count = Number(countArg ?? 100_000);
for (let i = 0; i < count; i++) {
  await store.saveFollower(fakeSubscriber(i));
  process.stdout.write(`ack ${i}\n`);
}
await store.close();
