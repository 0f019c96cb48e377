// The popular peer for bench/service: the same /ping and example endpoint,
// written the way an Express 5 tutorial would.
const express = require("express");

const app = express();
app.use(express.json({ limit: "1mb" }));
app.get("/ping", (req, res) => res.json({ status: "ok" }));
app.get("/v1/greetings/:name", (req, res) => {
  const lang = req.query.lang || "en";
  const name = req.params.name;
  const greeting = lang === "ja" ? `こんにちは、${name}さん` : `Hello, ${name}!`;
  res.json({ greeting, name, language: lang });
});
app.listen(Number(process.env.PORT), "127.0.0.1");
