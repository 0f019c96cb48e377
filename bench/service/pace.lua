-- wrk script: each connection waits about PACE_DELAY_MS (may be fractional)
-- between requests, so connections x (1000 / delay) approximates a request
-- rate. wrk's timers take whole milliseconds, so each wait is drawn around the
-- mean (+-1 ms, less when the mean is under 1 ms) and rounded stochastically:
-- the mean stays PACE_DELAY_MS and the connections drift apart instead of
-- firing in one burst.
local mean = tonumber(os.getenv("PACE_DELAY_MS") or "2")
local jitter = math.min(1, mean)
math.randomseed(os.time())
function delay()
  local x = mean + (math.random() * 2 - 1) * jitter
  local whole = math.floor(x)
  if math.random() < x - whole then
    whole = whole + 1
  end
  return whole
end
