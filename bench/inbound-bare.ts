// The baseline of bench/inbound.ts, in its own process like the sidecar: a bare Express 5
// app that parses a POSTed form body (express.urlencoded, as any form handler would) and
// answers 200 with the same short text the sidecar's postNotice answers.
import express from "express";
import { OMB_SUCCESS_BODY } from "../protocol/omb/constants.js";

const app = express();
app.post("/omb/postnotice", express.urlencoded({ extended: false, limit: "64kb" }), (req, res) => {
  res
    .status(200)
    .type("text/plain")
    .send(req.body?.omb_notice ? OMB_SUCCESS_BODY : "");
});
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`listening ${port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
