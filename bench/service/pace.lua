-- wrk script: each connection waits about `delay` ms between requests, so
-- connections x (1000 / delay) approximates a fixed request rate. The wait is
-- drawn from delay-1 .. delay+1 ms (wrk's timer resolution is 1 ms; the mean
-- stays `delay`), so the connections drift apart instead of firing in one
-- burst every `delay` ms.
local delay_ms = tonumber(os.getenv("PACE_DELAY_MS") or "2")
math.randomseed(os.time())
function delay()
  return math.random(delay_ms - 1, delay_ms + 1)
end
