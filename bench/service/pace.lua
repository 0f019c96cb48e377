-- wrk script: each connection waits `delay` ms between requests, so
-- connections x (1000 / delay) approximates a fixed request rate.
local delay_ms = tonumber(os.getenv("PACE_DELAY_MS") or "1")
function delay()
  return delay_ms
end
